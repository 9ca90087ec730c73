package postprocessor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// scanPool reads and scans the files the walk hands it on every core: reading through
// the image's layers and matching the rules cost CPU, the walk itself little. Results
// keep the walk's order, so the report does not depend on scheduling.
type scanPool struct {
	fsys    fs.FS
	jobs    chan scanJob
	wg      sync.WaitGroup
	mu      sync.Mutex
	results map[int]scanResult
	next    int
}

type scanJob struct {
	seq  int
	path string
}

type scanResult struct {
	found []cleanup.Finding
	err   error
}

// maxScanWorkers bounds memory: each worker holds one file of up to scanMaxFileSize.
const maxScanWorkers = 8

func newScanPool(fsys fs.FS) *scanPool {
	p := &scanPool{fsys: fsys, jobs: make(chan scanJob, 64), results: map[int]scanResult{}}
	for i := 0; i < min(runtime.GOMAXPROCS(0), maxScanWorkers); i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// scan queues the file at p (an fs.FS path).
func (p *scanPool) scan(path string) {
	p.jobs <- scanJob{seq: p.next, path: path}
	p.next++
}

// wait returns every file's findings and errors, in the order the files were queued.
func (p *scanPool) wait() ([]cleanup.Finding, []error) {
	close(p.jobs)
	p.wg.Wait()
	var found []cleanup.Finding
	var errs []error
	for i := 0; i < p.next; i++ {
		r := p.results[i]
		found = append(found, r.found...)
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return found, errs
}

func (p *scanPool) work() {
	defer p.wg.Done()
	buf := make([]byte, scanMaxFileSize)
	for j := range p.jobs {
		found, err := scanFile(p.fsys, j.path, buf)
		p.mu.Lock()
		p.results[j.seq] = scanResult{found, err}
		p.mu.Unlock()
	}
}

// scanFile reads the file (at most len(buf) bytes, into buf) and matches the rules.
func scanFile(fsys fs.FS, p string, buf []byte) ([]cleanup.Finding, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("/%s: %w", p, err)
	}
	var found []cleanup.Finding
	for _, m := range cleanup.ScanSecrets(buf[:n]) {
		sev := cleanup.Critical // a working credential
		if m.Rule == "private-key-pem" {
			sev = cleanup.High
		}
		found = append(found, cleanup.Finding{Check: contentScanCheck, Severity: sev, Path: "/" + p,
			Message: fmt.Sprintf("line %d: %s (%s): %s", m.Line, m.Description, m.Rule, m.Preview)})
	}
	return found, nil
}
