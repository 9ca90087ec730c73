package provisioner

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// The guest script speaks in lines on stdout:
//
//	@@sanitize-note ID TEXT         one change an operation made
//	@@sanitize-log ID TEXT          other output of an operation (at most 20 lines)
//	@@sanitize-op ID STATUS RC      the operation's result: done, noop or failed
//	@@sanitize-ops-end              all operations ran
//	@@sanitize-archive-begin        base64 tar.gz of the fetched files follows
//	@@sanitize-archive-end
//	@@sanitize-fatal TEXT           the script gave up (for example: not root)
//	@@sanitize-end                  the script ran to its end
//
// Anything else (a login banner, sudo's warnings) is ignored. A missing end marker means
// the script was cut short: that is an error, never a partial pass.

// OpStatus is one operation's outcome on the guest.
type OpStatus struct {
	ID     string
	Status string // done, noop, failed
	Notes  []string
	Log    []string
	Exit   int
}

// ScriptOutput is the parsed output of one run.
type ScriptOutput struct {
	Ops     []OpStatus
	Archive []byte // decoded; nil when the script did not gather
	Fatal   string
}

const maxOutputLine = 1 << 20

// parseOutput reads the script's stdout. expected lists the operation IDs the script was
// built with, in order: an unknown, missing or repeated ID is an error.
func parseOutput(out string, expected []string, gathered bool) (*ScriptOutput, error) {
	res := &ScriptOutput{}
	byID := map[string]*OpStatus{}
	want := map[string]bool{}
	for _, id := range expected {
		want[id] = true
	}
	pending := map[string]*OpStatus{}
	get := func(id string) (*OpStatus, error) {
		if !want[id] {
			return nil, fmt.Errorf("script output names unknown operation %q", id)
		}
		if byID[id] != nil {
			return nil, fmt.Errorf("script output repeats operation %q", id)
		}
		if pending[id] == nil {
			pending[id] = &OpStatus{ID: id}
		}
		return pending[id], nil
	}
	var archive strings.Builder
	inArchive, opsEnded, ended, archiveSeen := false, false, false, false
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), maxOutputLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if inArchive {
			if line == "@@sanitize-archive-end" {
				inArchive = false
				continue
			}
			archive.WriteString(line)
			continue
		}
		if !strings.HasPrefix(line, "@@sanitize-") {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "@@sanitize-note", "@@sanitize-log":
			id, text, _ := strings.Cut(rest, " ")
			op, err := get(id)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if kind == "@@sanitize-note" {
				op.Notes = append(op.Notes, text)
			} else {
				op.Log = append(op.Log, text)
			}
		case "@@sanitize-op":
			f := strings.Fields(rest)
			if len(f) != 3 {
				return nil, fmt.Errorf("line %d: malformed operation result %q", n, line)
			}
			op, err := get(f[0])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if f[1] != "done" && f[1] != "noop" && f[1] != "failed" {
				return nil, fmt.Errorf("line %d: operation %s has unknown status %q", n, f[0], f[1])
			}
			op.Status = f[1]
			if op.Exit, err = strconv.Atoi(f[2]); err != nil {
				return nil, fmt.Errorf("line %d: operation %s: bad exit code %q", n, f[0], f[2])
			}
			byID[f[0]] = op
			res.Ops = append(res.Ops, *op)
		case "@@sanitize-ops-end":
			opsEnded = true
		case "@@sanitize-archive-begin":
			inArchive, archiveSeen = true, true
		case "@@sanitize-fatal":
			res.Fatal = rest
		case "@@sanitize-end":
			ended = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading script output: %w", err)
	}
	if res.Fatal != "" {
		return res, fmt.Errorf("the cleanup script stopped: %s", res.Fatal)
	}
	if !opsEnded || !ended || inArchive {
		return res, fmt.Errorf("the cleanup script was cut short (no end marker): the guest was not fully cleaned or verified")
	}
	for _, id := range expected {
		if byID[id] == nil {
			return res, fmt.Errorf("the cleanup script reported no result for operation %s", id)
		}
	}
	if gathered {
		if !archiveSeen {
			return res, fmt.Errorf("the cleanup script sent no archive of the files to verify")
		}
		data, err := base64.StdEncoding.DecodeString(archive.String())
		if err != nil {
			return res, fmt.Errorf("decoding the archive of the files to verify: %w", err)
		}
		res.Archive = data
	}
	return res, nil
}
