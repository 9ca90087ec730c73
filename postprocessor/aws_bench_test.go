package postprocessor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// BenchmarkAMIVerify runs the whole post-processor on an AMI whose 8 GiB root snapshot is
// served by the EBS fake with 100 ms per block fetch: caller check, sharing checks, every
// path check and the content scan, the report and the approval tags.
//
//	go test -run '^$' -bench AMIVerify -benchtime 1x ./postprocessor/
//
// SANITIZE_BENCH_ROOTFS names a real root tree (a directory or a .tar.zst, such as the
// e2e tests' cached debootstrap rootfs); the default is the small test rootfs.
func BenchmarkAMIVerify(b *testing.B) {
	tree := benchTree(b)
	disk := awsfake.BuildDiskFromTree(b, tree, 8<<30)
	for b.Loop() {
		b.StopTimer()
		f := startAWSFakes(b, buildARN)
		if err := f.ebs.AddSnapshotFile(snapRoot, disk.Path); err != nil {
			b.Fatal(err)
		}
		f.ebs.Latency = 100 * time.Millisecond
		f.ec2.AddImage(awsfake.Image{ID: amiEast, OwnerID: owner,
			Devices: []awsfake.Device{{Name: "/dev/xvda", SnapshotID: snapRoot, SizeGiB: 8, Encrypted: true}}})
		b.StartTimer()
		r := f.run(b, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"approve_tags": approve})
		b.StopTimer()
		if r.err != nil {
			b.Logf("output:\n%s", r.out)
		}
		b.ReportMetric(float64(f.ebs.TotalGets()), "block-gets/op")
		b.StartTimer()
	}
}

func benchTree(b *testing.B) string {
	src := os.Getenv("SANITIZE_BENCH_ROOTFS")
	switch {
	case src == "":
		tree := filepath.Join(b.TempDir(), "tree")
		imagetest.WriteTree(b, tree, imagetest.Rootfs(b, false))
		return tree
	case strings.HasSuffix(src, ".tar.zst"):
		tree := b.TempDir()
		out, err := exec.Command("tar", "--zstd", "-xf", src, "-C", tree, "--exclude=./dev/*").CombinedOutput()
		if err != nil {
			b.Fatalf("extracting %s: %v\n%s", src, err, out)
		}
		return tree
	}
	return src
}
