package aws_test

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
)

// BenchmarkSnapshotChecks reads an 8 GiB root volume through the EBS fake with 100 ms per
// block fetch, the way the post-processor will: GPT partition -> ext4 -> the Linux path
// checks (or a walk of every directory). "one-at-a-time" is a single worker without
// read-ahead, the way a serial EBS reader fetches.
//
//	go test -run '^$' -bench SnapshotChecks -benchtime 1x ./cloud/aws/
//
// SANITIZE_BENCH_ROOTFS names a real root tree to use instead of the synthetic one: a
// directory or a .tar.zst (such as the e2e tests' cached debootstrap rootfs).
func BenchmarkSnapshotChecks(b *testing.B) {
	disk := benchDisk(b)
	fake := awsfake.NewEBS()
	if err := fake.AddSnapshotFile("snap-0bench000000000001", disk.Path); err != nil {
		b.Fatal(err)
	}
	fake.Latency = 100 * time.Millisecond
	c := cloudaws.NewClients(awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIABENCH", "secret", ""),
	}, cloudaws.Endpoints{EBS: awsfake.Serve(b, fake)})

	readers := []struct {
		name string
		opts ebsread.Options
	}{
		{"ebsread", ebsread.Options{}},
		{"one-at-a-time", ebsread.Options{Workers: 1, ReadAhead: -1}},
	}
	work := []struct {
		name string
		run  func(b *testing.B, fsys fs.FS)
	}{
		{"path-checks", runChecks},
		{"path-checks-concurrent", runChecksConcurrently},
		{"walk-all-dirs", walkAll},
		{"walk-all-dirs-concurrent", walkConcurrently},
	}
	for _, w := range work {
		for _, r := range readers {
			b.Run(w.name+"/"+r.name, func(b *testing.B) {
				var st ebsread.Stats
				for b.Loop() {
					snap, err := c.OpenSnapshot(context.Background(), "snap-0bench000000000001", r.opts)
					if err != nil {
						b.Fatal(err)
					}
					fsys, err := ext4.Open(io.NewSectionReader(snap, disk.PartitionStart, disk.PartitionSize), disk.PartitionSize)
					if err != nil {
						b.Fatal(err)
					}
					w.run(b, fsys)
					st = snap.Stats()
					snap.Close()
				}
				b.ReportMetric(float64(st.Requests), "requests/op")
				b.ReportMetric(float64(st.BlocksFetched)*float64(awsfake.BlockSize)/(1<<20), "MiB/op")
				b.ReportMetric(float64(st.ReadAheads), "read-aheads/op")
			})
		}
	}
}

func benchDisk(b *testing.B) awsfake.Disk {
	src := os.Getenv("SANITIZE_BENCH_ROOTFS")
	switch {
	case src == "":
		return awsfake.BuildDisk(b, benchRootfs(), 8<<30)
	case strings.HasSuffix(src, ".tar.zst"):
		tree := b.TempDir()
		out, err := exec.Command("tar", "--zstd", "-xf", src, "-C", tree, "--exclude=./dev/*").CombinedOutput()
		if err != nil {
			b.Fatalf("extracting %s: %v\n%s", src, err, out)
		}
		src = tree
	}
	b.Logf("rootfs: %s", src)
	return awsfake.BuildDiskFromTree(b, src, 8<<30)
}

func runChecks(b *testing.B, fsys fs.FS) {
	res := cleanup.RunChecks(&cleanup.Target{FS: fsys}, cleanup.Checks(cleanup.Linux))
	if len(res.NotVerified) > 0 {
		b.Fatalf("not verified: %+v", res.NotVerified)
	}
}

// runChecksConcurrently runs each check on its own goroutine: the ext4 reader is safe
// for concurrent use, so their block fetches overlap.
func runChecksConcurrently(b *testing.B, fsys fs.FS) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var notVerified []cleanup.NotVerified
	for _, c := range cleanup.Checks(cleanup.Linux) {
		wg.Go(func() {
			res := cleanup.RunChecks(&cleanup.Target{FS: fsys}, []cleanup.Check{c})
			mu.Lock()
			notVerified = append(notVerified, res.NotVerified...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(notVerified) > 0 {
		b.Fatalf("not verified: %+v", notVerified)
	}
}

func walkAll(b *testing.B, fsys fs.FS) {
	n := 0
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		n++
		return err
	})
	if err != nil || n < 5000 {
		b.Fatalf("walked %d entries: %v", n, err)
	}
}

// walkConcurrently lists directories on 16 goroutines, as a content scan could.
func walkConcurrently(b *testing.B, fsys fs.FS) {
	var (
		wg      sync.WaitGroup
		sem     = make(chan struct{}, 16)
		mu      sync.Mutex
		n       int
		errs    []error
		listDir func(dir string)
	)
	listDir = func(dir string) {
		defer wg.Done()
		sem <- struct{}{}
		entries, err := fs.ReadDir(fsys, dir)
		<-sem
		mu.Lock()
		n += len(entries)
		if err != nil {
			errs = append(errs, err)
		}
		mu.Unlock()
		for _, e := range entries {
			if e.IsDir() {
				wg.Add(1)
				go listDir(path.Join(dir, e.Name()))
			}
		}
	}
	wg.Add(1)
	listDir(".")
	wg.Wait()
	if len(errs) > 0 || n < 5000 {
		b.Fatalf("listed %d entries: %v", n, errs)
	}
}
