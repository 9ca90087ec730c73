package cleanup

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// eventLogDir holds the event logs, one .evtx file per channel.
const eventLogDir = "/Windows/System32/winevt/Logs"

var checkWinEventLogs = Check{
	ID:       "event-logs",
	OS:       Windows,
	Severity: Low,
	Summary:  "No event log holds records (Windows\\System32\\winevt\\Logs\\*.evtx): logs of the build name its accounts, hosts and commands (captured image only: a live guest logs all the time)",
	Needs:    []string{eventLogDir + "/"},
	// a running Windows writes events continuously, the cleanup's own included
	ImageOnly: true,
	Run:       runWinEventLogs,
}

// EVTX layout: a 4 KiB file header, then 64 KiB chunks whose records start at 512.
const (
	evtxHeaderSize  = 4096
	evtxChunkSize   = 64 << 10
	evtxRecordStart = 512
	evtxMaxChunks   = 1 << 16 // 4 GiB of log, more than Windows lets a channel grow
)

func runWinEventLogs(t *Target) ([]Finding, error) {
	r := newCappedReport("event-logs", Low)
	r.fail(winWalk(t.FS, eventLogDir, func(p string, d fs.DirEntry) error {
		if !d.Type().IsRegular() || !strings.HasSuffix(strings.ToLower(d.Name()), ".evtx") {
			return nil
		}
		n, err := evtxRecords(t.FS, p)
		if err != nil {
			r.fail(err)
		} else if n > 0 {
			r.add(p, "event log with %d record(s) of the build", n)
		}
		return nil
	}))
	return r.resultCapped(eventLogDir, "event logs with records")
}

// evtxRecords counts the records of an .evtx file from its chunk headers: a chunk counts
// when a record starts where its records begin. An empty (cleared) log has no such chunk.
func evtxRecords(fsys fs.FS, p string) (int64, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bad := func(format string, args ...any) error {
		return &fs.PathError{Op: "read", Path: guestPath(p), Err: fmt.Errorf("not an event log: "+format, args...)}
	}
	head := make([]byte, evtxHeaderSize)
	switch n, err := io.ReadFull(f, head); {
	case n == 0 && (err == io.EOF):
		return 0, nil // a zero-length file holds nothing
	case err != nil:
		return 0, bad("%d-byte header: %v", n, err)
	case !bytes.HasPrefix(head, []byte("ElfFile\x00")):
		return 0, bad("no ElfFile signature")
	}
	le := binary.LittleEndian
	var records int64
	chunk := make([]byte, evtxChunkSize)
	for i := 0; ; i++ {
		n, err := io.ReadFull(f, chunk)
		if n == 0 && err == io.EOF {
			return records, nil
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			return 0, &fs.PathError{Op: "read", Path: guestPath(p), Err: err}
		}
		if i >= evtxMaxChunks {
			return 0, bad("more than %d chunks", evtxMaxChunks)
		}
		c := chunk[:n]
		if len(c) < evtxRecordStart+8 || !bytes.HasPrefix(c, []byte("ElfChnk\x00")) {
			continue // preallocated space
		}
		if !bytes.Equal(c[evtxRecordStart:evtxRecordStart+4], []byte("**\x00\x00")) {
			continue // an empty chunk
		}
		first, last := le.Uint64(c[8:]), le.Uint64(c[16:])
		if last >= first && last-first < evtxChunkSize {
			records += int64(last-first) + 1
		} else {
			records++ // at least the record seen
		}
	}
}
