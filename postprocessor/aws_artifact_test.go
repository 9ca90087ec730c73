package postprocessor

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// Artifacts that are not (readable) AMIs fail with an error that says what was wrong,
// before any AWS call.
func TestUnknownOrGarbledArtifactIDs(t *testing.T) {
	for _, tc := range []struct {
		name, builder, id string
		files             []string
		images            []string
		want              []string
	}{
		{"amazon-ebs with a bad AMI id", ebsID, "us-east-1:ami-XYZ", nil, nil,
			[]string{"amazon-ebs", `"ami-XYZ" is not an AMI id`, "NOT verified"}},
		{"amazon-chroot with no region", "mitchellh.amazon.chroot", "ami-0abc1234", nil, nil,
			[]string{"amazon-chroot", "no ':' between region and image id"}},
		{"amazon-ebssurrogate with a bad second part", "mitchellh.amazon.ebssurrogate", "us-east-1:ami-0abc1234,eu-west-1:snap-0abc1234", nil, nil,
			[]string{`part 2 "eu-west-1:snap-0abc1234"`}},
		{"amazon-ebsvolume", "mitchellh.amazon.ebsvolume", "us-east-1:vol-0abc1234,us-east-1:snap-0abc1234", nil, nil,
			[]string{"amazon-ebsvolume", "not AMIs", "not supported yet"}},
		{"an Alibaba image with a bad id", "alibaba.alicloud", "cn-hangzhou:m-bp1abc", nil, nil,
			[]string{"alicloud-ecs", `"m-bp1abc" is not a custom image id`, "NOT verified"}},
		{"neither an AMI nor an Alibaba image", "example.custom", "cn-hangzhou:i-bp1abc", nil, nil,
			[]string{"has no files to verify", "names no AMI (region:ami-…) nor Alibaba Cloud custom image"}},
		{"images win over the AMI artifact", ebsID, "us-east-1:ami-0abc1234", nil, []string{"/nonexistent/disk.raw"},
			[]string{"/nonexistent/disk.raw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]interface{}{"report_path": filepath.Join(t.TempDir(), "r.json")}
			if tc.images != nil {
				cfg["images"] = tc.images
			}
			var p PostProcessor
			if err := p.Configure(cfg); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			ui := &packersdk.BasicUi{Reader: strings.NewReader(""), Writer: &out, ErrorWriter: &out}
			files := tc.files
			if files == nil {
				files = []string{}
			}
			art := &packersdk.MockArtifact{BuilderIdValue: tc.builder, IdValue: tc.id, FilesValue: files}
			_, _, _, err := p.PostProcess(context.Background(), ui, art)
			if err == nil {
				t.Fatalf("passed:\n%s", out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error()+out.String(), w) {
					t.Errorf("error lacks %q: %v\n%s", w, err, out.String())
				}
			}
		})
	}
}

func TestAMIRefsDispatch(t *testing.T) {
	for _, tc := range []struct {
		builder, id string
		files       []string
		want        int // AMIs; -1 for an error
	}{
		{ebsID, "us-east-1:ami-0abc1234", nil, 1},
		{"mitchellh.amazon.instance", "us-east-1:ami-0abc1234,eu-west-1:ami-0def5678", nil, 2},
		{"packer.post-processor.amazon-import", "us-east-1:ami-0abc1234", nil, 1},
		{ebsID, "us-east-1:ami-0abc1234", []string{"ignored.raw"}, 1}, // an amazon builder has no files anyway
		{"example.custom", "us-east-1:ami-0abc1234", nil, 1},          // no files, an AMI id: AMIs
		{"example.custom", "us-east-1:ami-0abc1234", []string{"disk.raw"}, 0},
		{"packer.file", "disk.raw", []string{"disk.raw"}, 0},
		{"example.custom", "garbage", nil, 0}, // left to the files path, which explains
		{ebsID, "garbage", nil, -1},
	} {
		refs, err := amiRefs(nil, &packersdk.MockArtifact{BuilderIdValue: tc.builder, IdValue: tc.id, FilesValue: append([]string{}, tc.files...)})
		got := len(refs)
		if err != nil {
			got = -1
		}
		if got != tc.want {
			t.Errorf("%s %q files %v: %d AMIs, err %v; want %d", tc.builder, tc.id, tc.files, len(refs), err, tc.want)
		}
	}
	if refs, err := amiRefs(nil, nil); refs != nil || err != nil {
		t.Errorf("nil artifact: %v %v", refs, err)
	}
}
