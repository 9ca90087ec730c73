package ebsread_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// BenchmarkScatteredReads reads 4 KiB from each of 200 blocks scattered over an 8 GiB
// volume, 100 ms per block fetch: the raw cost of a metadata-heavy walk, with one reader
// and with 16 concurrent ones, through the pool and one block at a time.
//
//	go test -run '^$' -bench ScatteredReads -benchtime 1x ./cloud/aws/ebsread/
func BenchmarkScatteredReads(b *testing.B) {
	const volumeGiB, nblocks = 8, 200
	rng := rand.New(rand.NewPCG(3, 4))
	blocks := map[int32][]byte{}
	for len(blocks) < nblocks {
		i := rng.Int32N(volumeGiB << 30 / awsfake.BlockSize)
		blocks[i] = pattern(i)
	}
	offsets := make([]int64, 0, nblocks)
	for i := range blocks {
		offsets = append(offsets, int64(i)*awsfake.BlockSize+int64(rng.IntN(awsfake.BlockSize-4096)))
	}
	fake := awsfake.NewEBS()
	fake.AddBlocks(snapID, volumeGiB, blocks)
	fake.Latency = 100 * time.Millisecond
	url := awsfake.Serve(b, fake)

	for _, r := range []struct {
		name string
		opts ebsread.Options
	}{
		{"ebsread", ebsread.Options{}},
		{"one-at-a-time", ebsread.Options{Workers: 1, ReadAhead: -1}},
	} {
		for _, readers := range []int{1, 16} {
			b.Run(r.name+"/readers="+strconv.Itoa(readers), func(b *testing.B) {
				var st ebsread.Stats
				for b.Loop() {
					s, err := ebsread.Open(context.Background(), client(url), snapID, r.opts)
					if err != nil {
						b.Fatal(err)
					}
					readAll(b, s, offsets, readers)
					st = s.Stats()
					s.Close()
				}
				b.ReportMetric(float64(st.Requests), "requests/op")
			})
		}
	}
}

func readAll(b *testing.B, s *ebsread.Snapshot, offsets []int64, readers int) {
	next := make(chan int64)
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			buf := make([]byte, 4096)
			for off := range next {
				if _, err := s.ReadAt(buf, off); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, off := range offsets {
		next <- off
	}
	close(next)
	wg.Wait()
}
