package postprocessor

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

var aliID = aliRegion + ":" + aliImage

// Metadata mode (the default) passes a private image, but says in the report, the
// sources and the output that the filesystem was not read, and does not approve it: the
// approval tags the builder put are removed.
func TestAlicloudMetadataModeDoesNotApprove(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, func(img *alicloudfake.Image) {
		img.Tags["status"] = "approved" // forged by the builder's tags
	})
	f.ecs.SetSnapshotTags(aliSysSnap, map[string]string{"status": "approved"})
	r := f.run(t, aliID, map[string]interface{}{"approve_tags": approve})
	t.Logf("output:\n%s", r.out)
	if r.err != nil {
		t.Fatalf("the private image failed: %v", r.err)
	}
	rep := r.readReport(t)
	if !rep.Passed || len(rep.AlicloudImages) != 1 || len(rep.Sources) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	img, src := rep.AlicloudImages[0], rep.Sources[0]
	if img.Status != statusNotRead || img.VerifyMode != "metadata" || !strings.HasPrefix(img.Content, "not verified (metadata mode)") ||
		!strings.Contains(img.Content, "filesystem was not read") || img.Caller == nil || img.Caller.IdentityType != "RAMUser" ||
		img.Details == nil || len(img.Details.Snapshots) != 2 || !strings.HasPrefix(img.Gate, "not approved") {
		t.Errorf("alicloud_images %+v", img)
	}
	if src.Status != statusNotRead || !strings.Contains(src.Reason, "content: not verified (metadata mode)") {
		t.Errorf("source %+v", src)
	}
	if !strings.Contains(r.out, "content NOT VERIFIED (metadata mode)") || !strings.Contains(r.out, "NOT approved") {
		t.Errorf("the output does not say the content was not verified:\n%s", r.out)
	}
	for id, tags := range f.tagsOf() {
		if _, ok := tags["status"]; ok {
			t.Errorf("%s keeps an approval tag: %v", id, tags)
		}
		if _, ok := tags[ecsimage.VerifiedTag]; ok {
			t.Errorf("%s carries %s", id, ecsimage.VerifiedTag)
		}
	}
	if f.ecs.ImageTags(aliRegion, aliImage)["team"] != "platform" {
		t.Error("an unrelated tag was removed")
	}
}

// The SARIF report says it too, as a warning notification of the run.
func TestAlicloudMetadataModeSARIF(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, nil)
	r := f.run(t, aliID, map[string]interface{}{"report_format": "sarif"})
	if r.err != nil {
		t.Fatal(r.err)
	}
	b, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"level": "warning"`) || !strings.Contains(string(b), "content: not verified (metadata mode): the filesystem was not read") {
		t.Errorf("SARIF does not say the content was not read:\n%s", b)
	}
}

// With approve_metadata_only, the image and both snapshots get the approval tags and
// sanitize:verified = the report digest, the time and "metadata-only".
func TestAlicloudApproveMetadataOnly(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityAssumedRole, nil)
	r := f.run(t, aliID, map[string]interface{}{"approve_tags": approve, "alicloud": map[string]interface{}{"approve_metadata_only": true}})
	if r.err != nil {
		t.Fatalf("failed: %v\n%s", r.err, r.out)
	}
	digest, err := fileDigest(r.path)
	if err != nil {
		t.Fatal(err)
	}
	for id, tags := range f.tagsOf() {
		v := tags[ecsimage.VerifiedTag]
		if tags["status"] != "approved" || tags["security-level"] != "trusted" || !strings.HasPrefix(v, digest+" 20") || !strings.HasSuffix(v, " metadata-only") {
			t.Errorf("%s: %v (digest %s)", id, tags, digest)
		}
	}
	if rep := r.readReport(t); rep.AlicloudImages[0].Gate != "approve" || rep.AlicloudImages[0].Status != statusNotRead {
		t.Errorf("report %+v", rep.AlicloudImages[0])
	}
}

// Public, community and shared images fail even though nothing else is wrong; sharing
// with an allowed account does not.
func TestAlicloudSharing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*alicloudfake.Image)
		allowed []string
		want    string // failing check, "" to pass
	}{
		{"public", func(i *alicloudfake.Image) { i.IsPublic = true }, nil, ecsimage.CheckImagePublic},
		{"community image", func(i *alicloudfake.Image) { i.ShareGroups = []string{"all"} }, nil, ecsimage.CheckImagePublic},
		{"shared with a stranger", func(i *alicloudfake.Image) { i.SharedAccounts = []string{aliPartner, aliStranger} },
			[]string{aliPartner}, ecsimage.CheckImageShared},
		{"shared with an allowed account", func(i *alicloudfake.Image) { i.SharedAccounts = []string{aliPartner} },
			[]string{aliPartner}, ""},
		{"shared with the owner itself", func(i *alicloudfake.Image) { i.SharedAccounts = []string{aliOwner} }, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startAliFakes(t, alicloudfake.IdentityRAMUser, tc.edit)
			block := map[string]interface{}{"approve_metadata_only": true}
			if tc.allowed != nil {
				block["allowed_account_ids"] = tc.allowed
			}
			r := f.run(t, aliID, map[string]interface{}{"approve_tags": approve, "alicloud": block})
			rep := r.readReport(t)
			if tc.want == "" {
				if r.err != nil || !rep.Passed || f.ecs.ImageTags(aliRegion, aliImage)["status"] != "approved" {
					t.Fatalf("failed or not approved: %v\n%s", r.err, r.out)
				}
				return
			}
			if r.err == nil || rep.Passed {
				t.Fatalf("passed:\n%s", r.out)
			}
			if !slices.ContainsFunc(rep.Findings, func(f Finding) bool {
				return f.Check == tc.want && f.Source == aliImage+" ("+aliRegion+")"
			}) {
				t.Errorf("no %s finding: %+v", tc.want, rep.Findings)
			}
			if tags := f.ecs.ImageTags(aliRegion, aliImage); tags["status"] != "" || tags[ecsimage.VerifiedTag] != "" {
				t.Errorf("a failing image was approved: %v", tags)
			}
		})
	}
}

// The account's own AccessKey is refused before any ECS call; allow_root_credentials
// lets it run.
func TestAlicloudRootCredentials(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityAccount, nil)
	r := f.run(t, aliID, map[string]interface{}{"approve_tags": approve})
	if r.err == nil || !strings.Contains(r.err.Error(), "root") || !strings.Contains(r.err.Error(), "nothing was tagged") {
		t.Fatalf("root credentials not refused: %v\n%s", r.err, r.out)
	}
	if acts := f.ecs.Actions(); len(acts) != 0 {
		t.Errorf("ECS was called with root credentials: %v", acts)
	}
	f = startAliFakes(t, alicloudfake.IdentityAccount, nil)
	r = f.run(t, aliID, map[string]interface{}{"alicloud": map[string]interface{}{"allow_root_credentials": true}})
	if r.err != nil {
		t.Fatalf("allow_root_credentials: %v\n%s", r.err, r.out)
	}
	if rep := r.readReport(t); rep.AlicloudImages[0].Caller.IdentityType != "Account" {
		t.Errorf("caller %+v", rep.AlicloudImages[0].Caller)
	}
}

// on_residue = "quarantine" on a shared image: approval tags off, quarantine tags on,
// on the image and both snapshots.
func TestAlicloudQuarantine(t *testing.T) {
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, func(i *alicloudfake.Image) {
		i.SharedAccounts = []string{aliStranger}
		i.Tags["status"], i.Tags["security-level"] = "approved", "trusted"
	})
	r := f.run(t, aliID, map[string]interface{}{"on_residue": "quarantine", "approve_tags": approve, "quarantine_tags": quarantine})
	if r.err == nil || r.got != nil {
		t.Fatalf("passed:\n%s", r.out)
	}
	for id, tags := range f.tagsOf() {
		if tags["status"] != "quarantined" || tags["sanitize:reason"] != "residue" || tags["security-level"] != "" {
			t.Errorf("%s not quarantined: %v", id, tags)
		}
	}
	if rep := r.readReport(t); rep.AlicloudImages[0].Gate != "quarantine" {
		t.Errorf("gate %q", rep.AlicloudImages[0].Gate)
	}
	if !strings.Contains(r.out, "quarantined") || !strings.Contains(r.err.Error(), "did not pass") {
		t.Errorf("output:\n%s\n%v", r.out, r.err)
	}
}

// An image that does not exist, or an API error, is a clear error naming the image;
// nothing is tagged.
func TestAlicloudErrors(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		fail     *alicloudfake.APIError
		want     []string
	}{
		{"unknown image", aliRegion + ":m-bp1doesnotexist0000", nil, []string{"m-bp1doesnotexist0000 not found"}},
		{"API error", aliID, &alicloudfake.APIError{Status: 403, Code: "Forbidden.RAM", Message: "User not authorized to operate on the specified resource."},
			[]string{aliImage, "share permissions", "Forbidden.RAM"}},
		{"bad artifact id", "cn-hangzhou:ami-0abc1234", nil, []string{"alicloud-ecs", `"ami-0abc1234" is not a custom image id`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startAliFakes(t, alicloudfake.IdentityRAMUser, nil)
			if tc.fail != nil {
				f.ecs.Fail("DescribeImageSharePermission", tc.fail)
			}
			r := f.run(t, tc.id, map[string]interface{}{"approve_tags": approve, "on_residue": "quarantine", "quarantine_tags": quarantine})
			if r.err == nil {
				t.Fatalf("passed:\n%s", r.out)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.err.Error()+r.out, w) {
					t.Errorf("error lacks %q: %v\n%s", w, r.err, r.out)
				}
			}
			if n := f.tagCalls(); n != 0 {
				t.Errorf("%d tag calls after an error", n)
			}
		})
	}
}

// An image copied to two regions: each copy is described and tagged in its own region.
func TestAlicloudTwoRegions(t *testing.T) {
	const west, westImage, westSnap = "ap-southeast-1", "m-t4nwest00000000000001", "s-t4nwestsys0000000001"
	f := startAliFakes(t, alicloudfake.IdentityRAMUser, nil)
	f.ecs.AddImage(alicloudfake.Image{Region: west, ID: westImage, Name: "golden-debian", OwnerID: 1234567890123456,
		Disks: []alicloudfake.Disk{{Device: "/dev/xvda", SnapshotID: westSnap, Type: "system", SizeGiB: 40}}})
	r := f.run(t, aliID+","+west+":"+westImage, map[string]interface{}{"approve_tags": approve,
		"alicloud": map[string]interface{}{"approve_metadata_only": true}})
	if r.err != nil {
		t.Fatalf("failed: %v\n%s", r.err, r.out)
	}
	if rep := r.readReport(t); len(rep.AlicloudImages) != 2 || len(rep.Sources) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if f.ecs.ImageTags(west, westImage)["status"] != "approved" || f.ecs.SnapshotTags(westSnap)["status"] != "approved" ||
		f.ecs.ImageTags(aliRegion, aliImage)["status"] != "approved" {
		t.Error("a copy was not approved")
	}
	regions := map[string]bool{}
	for _, c := range f.ecs.Calls() {
		regions[c.Params.Get("RegionId")] = true
	}
	if len(regions) != 2 || !regions[west] || !regions[aliRegion] {
		t.Errorf("ECS calls in regions %v", regions)
	}
}
