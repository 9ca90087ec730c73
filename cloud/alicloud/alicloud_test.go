package alicloud

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

const (
	region   = "cn-hangzhou"
	imageID  = "m-bp1g7004ksh0oeuco1ab"
	owner    = "1234567890123456"
	partner  = "2222222222222222"
	stranger = "9999999999999999"
	sysSnap  = "s-bp1sys0000000000000a"
	dataSnap = "s-bp1data000000000000b"
	keyID    = "LTAI5tTESTKEY0000000001"
	secret   = "test-secret-value"
)

type fakes struct {
	ecs *alicloudfake.ECS
	sts *alicloudfake.STS
	c   *Clients
	ep  Endpoints
}

// start serves the fakes and connects the real SDK clients to them, with the
// credentials from ALICLOUD_* as the alicloud Packer plugin reads them.
func start(t *testing.T, identityType string, edit func(*alicloudfake.Image)) *fakes {
	t.Helper()
	img := alicloudfake.GoldenImage(region, imageID,
		alicloudfake.Disk{Device: "/dev/xvdb", SnapshotID: dataSnap, Type: "data", SizeGiB: 20},
		alicloudfake.Disk{Device: "/dev/xvda", SnapshotID: sysSnap, Type: "system", SizeGiB: 40})
	if edit != nil {
		edit(&img)
	}
	p := alicloudfake.StartPair(t, alicloudfake.Account{KeyID: keyID, Secret: secret, Owner: owner, IdentityType: identityType}, img)
	f := &fakes{ecs: p.ECS, sts: p.STS, ep: Endpoints{ECS: p.ECSEndpoint, STS: p.STSEndpoint}}
	c, err := Connect(region, Settings{Endpoints: f.ep})
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

func TestInspectJudgesSharing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*alicloudfake.Image)
		allowed []string
		want    []string // checks
	}{
		{"private", nil, nil, nil},
		{"public", func(i *alicloudfake.Image) { i.IsPublic = true }, nil, []string{ecsimage.CheckImagePublic}},
		{"community", func(i *alicloudfake.Image) { i.ShareGroups = []string{"all"} }, nil, []string{ecsimage.CheckImagePublic}},
		{"shared with a stranger", func(i *alicloudfake.Image) { i.SharedAccounts = []string{partner, stranger} },
			[]string{partner}, []string{ecsimage.CheckImageShared}},
		{"shared with an allowed account", func(i *alicloudfake.Image) { i.SharedAccounts = []string{partner} },
			[]string{partner}, nil},
		{"shared with 150 accounts, the stranger on page 2", func(i *alicloudfake.Image) {
			for n := 0; n < 149; n++ {
				i.SharedAccounts = append(i.SharedAccounts, partner)
			}
			i.SharedAccounts = append(i.SharedAccounts, stranger)
		}, []string{partner}, []string{ecsimage.CheckImageShared}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, alicloudfake.IdentityRAMUser, tc.edit)
			rep, err := f.c.Inspect(context.Background(), ecsimage.Ref{Region: region, ImageID: imageID},
				ecsimage.Policy{AllowedAccountIDs: tc.allowed})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fd := range rep.Findings {
				got = append(got, fd.Check)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", rep.Findings, tc.want)
			}
			if rep.Name != "golden-debian" || rep.OwnerID != owner || len(rep.Snapshots) != 2 ||
				rep.Snapshots[0].SnapshotID != sysSnap || rep.Snapshots[0].SizeGiB != 40 || rep.Tags["team"] != "platform" {
				t.Errorf("report %+v", rep)
			}
			if acts := f.ecs.Actions(); acts[0] != "DescribeImages" || acts[1] != "DescribeImageSharePermission" {
				t.Errorf("actions %v", acts)
			}
		})
	}
}

func TestInspectErrorsNameTheImage(t *testing.T) {
	f := start(t, alicloudfake.IdentityRAMUser, nil)
	_, err := f.c.Inspect(context.Background(), ecsimage.Ref{Region: region, ImageID: "m-bp1doesnotexist0000"}, ecsimage.Policy{})
	if err == nil || !strings.Contains(err.Error(), "m-bp1doesnotexist0000 not found") {
		t.Errorf("unknown image: %v", err)
	}
	f.ecs.Fail("DescribeImageSharePermission", &alicloudfake.APIError{Status: 403, Code: "Forbidden.RAM", Message: "User not authorized to operate on the specified resource."})
	_, err = f.c.Inspect(context.Background(), ecsimage.Ref{Region: region, ImageID: imageID}, ecsimage.Policy{})
	if err == nil || !strings.Contains(err.Error(), "Forbidden.RAM (HTTP 403): ") || !strings.Contains(err.Error(), imageID) {
		t.Errorf("API error: %v", err)
	}
}

func TestCheckCaller(t *testing.T) {
	for _, tc := range []struct {
		identity  string
		allowRoot bool
		refused   bool
	}{
		{alicloudfake.IdentityAccount, false, true},
		{alicloudfake.IdentityAccount, true, false},
		{alicloudfake.IdentityRAMUser, false, false},
		{alicloudfake.IdentityAssumedRole, false, false},
	} {
		f := start(t, tc.identity, nil)
		id, err := f.c.CheckCaller(tc.allowRoot)
		if refused := errors.Is(err, ErrRootCredentials); refused != tc.refused || (err != nil && !refused) {
			t.Errorf("%s (allow root %t): %v", tc.identity, tc.allowRoot, err)
		}
		if id.AccountID != owner || id.IdentityType != tc.identity || id.Arn == "" {
			t.Errorf("%s: identity %+v", tc.identity, id)
		}
	}
}

// The fake verifies the signature: a wrong secret is refused as the service refuses it.
func TestWrongSecretIsRefused(t *testing.T) {
	f := start(t, alicloudfake.IdentityRAMUser, nil)
	c, err := Connect(region, Settings{Credentials: Credentials{AccessKey: keyID, SecretKey: "not-the-secret"}, Endpoints: f.ep})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckCaller(false); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v", err)
	}
	_, err = c.Inspect(context.Background(), ecsimage.Ref{Region: region, ImageID: imageID}, ecsimage.Policy{})
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %v", err)
	}
	if len(f.ecs.Calls()) != 0 || len(f.sts.Calls()) != 0 {
		t.Error("a request with a bad signature was recorded as a call")
	}
}

func TestGate(t *testing.T) {
	f := start(t, alicloudfake.IdentityRAMUser, nil)
	ctx := context.Background()
	rep, err := f.c.Inspect(ctx, ecsimage.Ref{Region: region, ImageID: imageID}, ecsimage.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	approve := map[string]string{"status": "approved", "security-level": "trusted"}
	if err := f.c.Approve(ctx, rep, approve, "sha256:abc", false); err != nil {
		t.Fatal(err)
	}
	for what, tags := range map[string]map[string]string{imageID: f.ecs.ImageTags(region, imageID),
		sysSnap: f.ecs.SnapshotTags(sysSnap), dataSnap: f.ecs.SnapshotTags(dataSnap)} {
		if tags["status"] != "approved" || !strings.HasPrefix(tags[ecsimage.VerifiedTag], "sha256:abc 20") {
			t.Errorf("%s: %v", what, tags)
		}
	}
	if err := f.c.Quarantine(ctx, rep, map[string]string{"status": "quarantined"}, []string{"status", "security-level"}); err != nil {
		t.Fatal(err)
	}
	for what, tags := range map[string]map[string]string{imageID: f.ecs.ImageTags(region, imageID), sysSnap: f.ecs.SnapshotTags(sysSnap)} {
		if _, ok := tags[ecsimage.VerifiedTag]; ok || tags["status"] != "quarantined" || tags["security-level"] != "" {
			t.Errorf("%s not quarantined: %v", what, tags)
		}
	}
	if f.ecs.ImageTags(region, imageID)["team"] != "platform" {
		t.Error("an unrelated tag was removed")
	}
}
