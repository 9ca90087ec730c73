package cleanup

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

func TestWinEventLogs(t *testing.T) {
	logs := "Windows/System32/winevt/Logs/"
	evtx := func(records int) *fstest.MapFile { return &fstest.MapFile{Data: imagetest.EVTX(records)} }
	tests := []struct {
		name    string
		planted map[string]*fstest.MapFile
		want    []string // "Path Message" substrings; none means it passes
		err     string
	}{
		{"cleared logs pass", map[string]*fstest.MapFile{logs + "System.evtx": evtx(0), logs + "Security.evtx": evtx(0),
			logs + "Microsoft-Windows-PowerShell%4Operational.evtx": {Data: nil}}, nil, ""},
		{"records in logs, any case", map[string]*fstest.MapFile{"Windows/System32/WINEVT/logs/System.evtx": evtx(0),
			"Windows/System32/WINEVT/logs/Microsoft-Windows-PowerShell%4Operational.EVTX": evtx(12)},
			[]string{"/Windows/System32/WINEVT/logs/Microsoft-Windows-PowerShell%4Operational.EVTX event log with 12 record(s)"}, ""},
		{"not an event log", map[string]*fstest.MapFile{logs + "Application.evtx": file("MZ")}, nil, "not an event log"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found, err := runWinCheck(t, "event-logs", &Target{FS: with(cleanWindowsGuest(t), tc.planted)})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := pathMessages(found)
			if len(tc.want) == 0 && len(found) > 0 {
				t.Errorf("findings on clean logs:\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("no finding with %q in:\n%s", w, got)
				}
			}
			if len(found) > 0 && found[0].Severity != Low {
				t.Errorf("severity %s, want low", found[0].Severity)
			}
		})
	}
}
