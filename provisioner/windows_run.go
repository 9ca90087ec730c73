package provisioner

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// sysprepGrace bounds the wait for the command to end once Sysprep has started: a machine
// that powers off may leave the connection silent rather than closed.
var sysprepGrace = 15 * time.Minute

// markerSettle is how long to wait, after the communicator reported an error, for the
// output streamed before it to arrive (Packer's RPC delivers it on another stream).
var markerSettle = 5 * time.Second

// windowsSettings are the script settings of this configuration; remote is the script's
// path on the guest.
func (p *Provisioner) windowsSettings(remote string) windowsSettings {
	return windowsSettings{
		Self:           remote,
		RemoveAccounts: p.config.RemoveLocalAccounts,
		SysprepMode:    p.config.SysprepMode,
		Unattend:       p.config.unattend,
		StopOnFailure:  p.config.OnOperationError == "fail",
		Gather:         *p.config.Verify,
		FetchMaxBytes:  p.config.FetchMaxBytes,
	}
}

// runWindowsScript uploads and runs the script once, like runScript, but once the Sysprep
// marker is on stdout the machine going down is success: a communicator error, a killed
// script or a silent connection then completes the output instead of failing the build.
func (p *Provisioner) runWindowsScript(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, remote, script string) (string, error) {
	if err := comm.Upload(remote, strings.NewReader(script), nil); err != nil {
		return "", fmt.Errorf("sanitize: uploading the script to %s: %w", remote, err)
	}
	p.config.ctx.Data = &struct{ Path string }{Path: remote}
	command, err := interpolate.Render(p.config.ExecuteCommand, &p.config.ctx)
	if err != nil {
		return "", fmt.Errorf("sanitize: execute_command: %w", err)
	}
	stdout := newMarkerWriter(sysprepMarker)
	var stderr bytes.Buffer
	cmd := &packersdk.RemoteCmd{Command: command, Stdout: stdout, Stderr: &stderr}
	if err := comm.Start(ctx, cmd); err != nil {
		// WinRM's Start returns only when the command ended: a dropped connection lands here
		if stdout.waitMarker(markerSettle) {
			ui.Say("The connection ended after Sysprep started: the machine is shutting down")
			return completeAfterSysprep(stdout.String()), nil
		}
		return "", fmt.Errorf("sanitize: running the script: %w", err)
	}
	done := make(chan int, 1)
	go func() { done <- cmd.Wait() }()
	var status int
	select {
	case status = <-done:
	case <-stdout.seen:
		select {
		case status = <-done:
		case <-time.After(sysprepGrace):
			ui.Say(fmt.Sprintf("Sysprep started %s ago and the connection is silent: taking it as the shutdown", sysprepGrace))
			return completeAfterSysprep(stdout.String()), nil
		}
	}
	out := stdout.String()
	if stdout.sawMarker() {
		if status != 0 {
			ui.Say(fmt.Sprintf("The script ended with status %d after Sysprep started: the machine is shutting down", status))
		}
		return completeAfterSysprep(out), nil
	}
	if status != 0 {
		detail := lastLines(stderr.String(), 10)
		if f := fatalLine(out); f != "" {
			detail = f
		}
		return "", fmt.Errorf("sanitize: the cleanup script exited with status %d: %s", status, detail)
	}
	return out, nil
}

// completeAfterSysprep adds what a script cut short by the shutdown could not print: the
// sysprep operation's result (done: it started and took the machine down) and the end
// markers. Output that has them is returned unchanged.
func completeAfterSysprep(out string) string {
	has := func(prefix string) bool {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimRight(l, "\r"), prefix) {
				return true
			}
		}
		return false
	}
	var add []string
	if !has("@@sanitize-op " + sysprepOp + " ") {
		add = append(add, "@@sanitize-log "+sysprepOp+" the connection ended: the machine is shutting down",
			"@@sanitize-op "+sysprepOp+" done 0")
	}
	for _, m := range []string{"@@sanitize-ops-end", "@@sanitize-end"} {
		if !has(m) {
			add = append(add, m)
		}
	}
	if len(add) == 0 {
		return out
	}
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out + strings.Join(add, "\n") + "\n"
}

// markerWriter keeps the script's stdout and tells when a line equal to the marker went
// by.
type markerWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	found  bool
	seen   chan struct{}
}

func newMarkerWriter(marker string) *markerWriter {
	return &markerWriter{marker: marker, seen: make(chan struct{})}
}

func (w *markerWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	from := max(0, w.buf.Len()-len(w.marker)-2) // only the new bytes and a marker's length before them
	w.buf.Write(b)
	if !w.found {
		all := w.buf.Bytes()
		lines := bytes.Split(all[from:], []byte("\n"))
		for i, l := range lines[:len(lines)-1] { // the last piece is not a whole line yet
			if i == 0 && from > 0 && all[from-1] != '\n' {
				continue // the middle of a line
			}
			if string(bytes.TrimRight(l, "\r")) == w.marker {
				w.found = true
				close(w.seen)
				break
			}
		}
	}
	return len(b), nil
}

func (w *markerWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *markerWriter) sawMarker() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.found
}

// waitMarker waits up to d for the marker.
func (w *markerWriter) waitMarker(d time.Duration) bool {
	select {
	case <-w.seen:
		return true
	case <-time.After(d):
		return false
	}
}
