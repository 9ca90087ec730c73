package provisioner

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// scriptedComm is a communicator whose command prints a fixed stdout, then ends with a
// status, or fails as a dropped WinRM connection does (Start returns the error).
type scriptedComm struct {
	packersdk.MockCommunicator
	stdout   string
	status   int
	startErr error
	hang     bool // never end: a powered-off machine that leaves the connection silent
	uploaded string
	commands []string
}

func (c *scriptedComm) Upload(path string, r io.Reader, _ *os.FileInfo) error {
	b, err := io.ReadAll(r)
	c.uploaded = path + "\n" + string(b)
	return err
}

func (c *scriptedComm) Start(_ context.Context, cmd *packersdk.RemoteCmd) error {
	c.commands = append(c.commands, cmd.Command)
	if _, err := io.WriteString(cmd.Stdout, c.stdout); err != nil {
		return err
	}
	if c.startErr != nil {
		return c.startErr
	}
	if !c.hang {
		go cmd.SetExited(c.status)
	}
	return nil
}

const beforeSysprep = "@@sanitize-note shell-history removed x\r\n@@sanitize-op shell-history done 0\r\n" +
	"@@sanitize-archive-begin\r\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n@@sanitize-archive-end\r\n"

func TestRunWindowsScriptSysprepShutdown(t *testing.T) {
	defer func(g, s time.Duration) { sysprepGrace, markerSettle = g, s }(sysprepGrace, markerSettle)
	sysprepGrace, markerSettle = 50*time.Millisecond, 50*time.Millisecond
	ops := []string{"shell-history", "sysprep"}
	for name, tc := range map[string]struct {
		comm    scriptedComm
		wantErr string
	}{
		"connection lost after the marker": {comm: scriptedComm{stdout: beforeSysprep + sysprepMarker + "\r\n@@sanitize-note sysprep sysprep.exe", startErr: errors.New("http response error: EOF")}},
		"killed after the marker":          {comm: scriptedComm{stdout: beforeSysprep + sysprepMarker + "\r\n", status: 1073807364}},
		"silent after the marker":          {comm: scriptedComm{stdout: beforeSysprep + sysprepMarker + "\r\n", hang: true}},
		"ran to its end":                   {comm: scriptedComm{stdout: beforeSysprep + sysprepMarker + "\r\n@@sanitize-op sysprep done 0\r\n@@sanitize-ops-end\r\n@@sanitize-end\r\n"}},
		"connection lost before the marker": {comm: scriptedComm{stdout: beforeSysprep, startErr: errors.New("http response error: EOF")},
			wantErr: "running the script: http response error: EOF"},
		"failed before the marker": {comm: scriptedComm{stdout: "@@sanitize-fatal the script runs as x without administrator rights\r\n", status: 97},
			wantErr: "exited with status 97: the script runs as x without administrator rights"},
		"marker only inside a line": {comm: scriptedComm{stdout: beforeSysprep + "@@sanitize-log x " + sysprepMarker + "\r\n", startErr: errors.New("EOF")},
			wantErr: "running the script"},
	} {
		t.Run(name, func(t *testing.T) {
			var p Provisioner
			if err := p.Prepare(map[string]interface{}{"guest_os_type": "windows"}); err != nil {
				t.Fatal(err)
			}
			out, err := p.runWindowsScript(context.Background(), packersdk.TestUi(t), &tc.comm, "C:/Windows/Temp/sanitize-x.ps1", "script")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parseOutput(out, ops, true)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if s := parsed.Ops[1]; s.ID != "sysprep" || s.Status != "done" {
				t.Fatalf("sysprep: %+v", s)
			}
			if tc.comm.commands[0] != `powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:/Windows/Temp/sanitize-x.ps1"` {
				t.Errorf("command %q", tc.comm.commands[0])
			}
			if tc.comm.uploaded != "C:/Windows/Temp/sanitize-x.ps1\nscript" {
				t.Errorf("upload %q", tc.comm.uploaded)
			}
		})
	}
}

func TestMarkerWriterAcrossWrites(t *testing.T) {
	w := newMarkerWriter(sysprepMarker)
	for _, chunk := range []string{"abc\r\n@@sanitize-sys", "prep-start", "ed\r", "\nmore"} {
		if w.sawMarker() {
			t.Fatal("marker seen before its line ended")
		}
		w.Write([]byte(chunk))
	}
	if !w.sawMarker() {
		t.Fatal("marker split over writes not seen")
	}
}
