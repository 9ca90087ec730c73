package postprocessor

import (
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image"
)

// verifyVolumes checks the volumes concurrently, at most parallel at a time, and merges
// what each found into rep in volume order, so the report never depends on timing. It
// pays off on a slow block device (an EBS snapshot read over the network): the reads of
// several volumes overlap. v.say must be safe for concurrent use (see lockedSay).
func (v *verifier) verifyVolumes(vols []image.Volume, rep *Report, parallel int) []VolumeResult {
	results := make([]VolumeResult, len(vols))
	parts := make([]Report, len(vols))
	sem := make(chan struct{}, max(parallel, 1))
	roles := v.mountRoles(vols)
	var wg sync.WaitGroup
	for i, vol := range vols {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = v.verifyVolume(vol, roles[i], &parts[i])
		})
	}
	wg.Wait()
	var found []Finding
	for _, part := range parts {
		found = append(found, part.Findings...)
		rep.NotVerified = append(rep.NotVerified, part.NotVerified...)
	}
	rep.Findings = append(rep.Findings, countByVolume(results, found)...)
	return results
}

// lockedSay serialises progress lines written from several goroutines.
func lockedSay(say func(string)) func(string) {
	var mu sync.Mutex
	return func(s string) {
		mu.Lock()
		defer mu.Unlock()
		say(s)
	}
}
