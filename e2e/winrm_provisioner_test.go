package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The Windows provisioner through a real `packer build`: the null builder connects over
// WinRM to the fake WS-Man endpoint, the plugin uploads its one PowerShell script and runs
// it. The fake cannot execute PowerShell, so it answers the run with output built here from
// the uploaded script (one result per operation it calls) and an archive of files this
// test chooses. What this proves: the commands and their order, the uploaded script (it
// must equal the golden file), the parsing of the answer, the verification of the files,
// and that a connection lost after Sysprep started is success. What it cannot prove: what
// the PowerShell does on Windows.

const winrmPassword = "Fake-WinRM-Pass1"

var goldenScriptPath = "C:/Windows/Temp/sanitize-GOLDEN.ps1"

func requirePacker(t *testing.T) string {
	t.Helper()
	packer := packerBinary()
	if _, err := os.Stat(packer); err != nil {
		msg := "packer binary missing (" + packer + "): run `make tools`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return packer
}

var (
	opCall      = regexp.MustCompile(`(?m)^Invoke-SanitizeOperation '([^']+)'`)
	sysprepCall = regexp.MustCompile(`(?m)^Invoke-SanitizeSysprep '([^']+)'`)
)

// windowsAnswer is what the script would print on a guest holding files: each operation
// done, the archive of files when the script gathers, then Sysprep. With disconnect, the
// output stops at the Sysprep marker and the connection drops.
func windowsAnswer(t *testing.T, script []byte, files map[string]string, disconnect bool) fakeRun {
	var b strings.Builder
	for _, m := range opCall.FindAllSubmatch(script, -1) {
		fmt.Fprintf(&b, "@@sanitize-note %s (fake WS-Man: not executed)\r\n@@sanitize-op %s done 0\r\n", m[1], m[1])
	}
	if bytes.Contains(script, []byte("\nInvoke-SanitizeGather\n")) {
		b.WriteString("@@sanitize-archive-begin\r\n")
		enc := base64.StdEncoding.EncodeToString(guestZip(t, files))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n@@sanitize-archive-end\r\n")
	}
	if m := sysprepCall.FindSubmatch(script); m != nil {
		fmt.Fprintf(&b, "@@sanitize-sysprep-started\r\n@@sanitize-note %s sysprep_mode auto chose generic\r\n", m[1])
		if disconnect {
			return fakeRun{Stdout: b.String(), Disconnect: true}
		}
		fmt.Fprintf(&b, "@@sanitize-op %s done 0\r\n", m[1])
	}
	b.WriteString("@@sanitize-ops-end\r\n@@sanitize-end\r\n")
	return fakeRun{Stdout: b.String()}
}

// guestZip packs files (C:\-relative, "/" separators) as the runner does, with a manifest.
func guestZip(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var manifest strings.Builder
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(n, "/") {
			fmt.Fprintf(&manifest, "d 0 %s\x00", strings.TrimSuffix(n, "/"))
			continue
		}
		w.Write([]byte(files[n]))
		fmt.Fprintf(&manifest, "f %d %s\x00", len(files[n]), n)
	}
	w, _ := zw.Create(".packer-plugin-sanitize.manifest")
	w.Write([]byte(manifest.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cleanWindowsFiles is a guest after a good cleanup.
var cleanWindowsFiles = map[string]string{
	"Users/":               "",
	"Users/Administrator/": "",
	"Users/packer/":        "",
	"Users/packer/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt": "",
	"Users/Default/": "",
	"ProgramData/ssh/administrators_authorized_keys": "",
	"ProgramData/ssh/sshd_config":                    "Match Group administrators\r\n",
	"Windows/Temp/":                                  "",
	"Windows/Panther/unattend.xml": `<unattend xmlns="urn:schemas-microsoft-com:unattend"><settings pass="oobeSystem"><component>` +
		`<UserAccounts><AdministratorPassword><Value>*SENSITIVE*DATA*DELETED*</Value><PlainText>true</PlainText></AdministratorPassword></UserAccounts></component></settings></unattend>`,
}

// buildWindows runs example/windows-winrm.pkr.hcl against the fake.
func buildWindows(t *testing.T, packer string, fake *wsmanFake) (out, work string, err error) {
	t.Helper()
	installPlugin(t, packer)
	work = t.TempDir()
	out, err = run(work, packerEnv(work), packer, "build", "-color=false",
		"-var", "winrm_port="+fake.port(), "-var", "winrm_password="+winrmPassword,
		"-var", "report_path="+filepath.Join(work, "live-report.json"),
		filepath.Join(repoRoot, "example", "windows-winrm.pkr.hcl"))
	t.Logf("packer build output:\n%s", out)
	return out, work, err
}

// assertOneUploadOneRun checks what ran, in order, and that the uploaded script is the
// golden one: the connect check, one upload of the script, one run of it, nothing else.
func assertOneUploadOneRun(t *testing.T, fake *wsmanFake) {
	t.Helper()
	events := fake.summary()
	if len(events) != 3 || events[0].Kind != "connect-check" || events[1].Kind != "upload" || events[2].Kind != "run" ||
		events[1].Detail != events[2].Detail || !strings.HasPrefix(events[1].Detail, "C:/Windows/Temp/sanitize-") {
		t.Fatalf("want connect-check, upload of the script, run of it; got %+v", events)
	}
	// the upload itself: base64 chunks appended to a temp file, decoded, then the temp removed
	fake.mu.Lock()
	var kinds []string
	for _, e := range fake.events {
		if k := e.Kind; k != "connect-check" && (len(kinds) == 0 || kinds[len(kinds)-1] != k) {
			kinds = append(kinds, k)
		}
	}
	fake.mu.Unlock()
	if strings.Join(kinds, " ") != "upload-chunk upload upload-cleanup run" {
		t.Errorf("want the upload's chunks, restore and cleanup, then the run; got %v", kinds)
	}
	golden, err := os.ReadFile(filepath.Join(repoRoot, "provisioner", "testdata", "windows-defaults.golden"))
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	got := string(fake.files[events[1].Detail])
	fake.mu.Unlock()
	want := strings.ReplaceAll(string(golden), goldenScriptPath, events[1].Detail)
	if got != want {
		t.Errorf("the uploaded script differs from provisioner/testdata/windows-defaults.golden (%d bytes, want %d)", len(got), len(want))
	}
}

func TestWindowsProvisionerOverWinRMFailsOnResidue(t *testing.T) {
	packer := requirePacker(t)
	fake := startWSManFake(t, "packer", winrmPassword)
	dirty := map[string]string{}
	for k, v := range cleanWindowsFiles {
		dirty[k] = v
	}
	dirty["Users/packer/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt"] = "aws configure\r\n"
	dirty["Windows/Panther/unattend.xml"] = `<unattend xmlns="urn:schemas-microsoft-com:unattend"><settings pass="oobeSystem"><component><UserAccounts>` +
		`<AdministratorPassword><Value>Residue-Win-Pass1</Value><PlainText>true</PlainText></AdministratorPassword></UserAccounts></component></settings></unattend>`
	fake.run = func(_ string, script []byte) fakeRun { return windowsAnswer(t, script, dirty, false) }

	out, _, err := buildWindows(t, packer, fake)
	if err == nil {
		t.Fatal("packer build passed on a guest with residue")
	}
	for _, want := range []string{"Sanitizing the windows guest: 8 operations in one script", "shell-history", "done",
		"psreadline-history", "ConsoleHost_history.txt", "unattend-passwords", "AdministratorPassword in clear text",
		"Checked on the captured image only (sanitize-verify), not on the live guest: sysprep-state", "residue left on the guest"} {
		if !strings.Contains(out, want) {
			t.Errorf("packer output lacks %q", want)
		}
	}
	for _, secret := range []string{"Residue-Win-Pass1", winrmPassword} {
		if strings.Contains(out, secret) {
			t.Errorf("packer output shows a secret (%.6s…)", secret)
		}
	}
	assertOneUploadOneRun(t, fake)
}

func TestWindowsProvisionerOverWinRMShutdownIsSuccess(t *testing.T) {
	packer := requirePacker(t)
	fake := startWSManFake(t, "packer", winrmPassword)
	fake.run = func(_ string, script []byte) fakeRun { return windowsAnswer(t, script, cleanWindowsFiles, true) }

	out, work, err := buildWindows(t, packer, fake)
	if err != nil {
		t.Fatalf("packer build failed on a clean guest that shut down after Sysprep: %v", err)
	}
	for _, want := range []string{"The connection ended after Sysprep started", "sysprep", "No residue at or above medium"} {
		if !strings.Contains(out, want) {
			t.Errorf("packer output lacks %q", want)
		}
	}
	assertOneUploadOneRun(t, fake)
	var rep struct {
		Passed bool     `json:"passed"`
		Checks []string `json:"checks"`
	}
	b, err := os.ReadFile(filepath.Join(work, "live-report.json"))
	if err == nil {
		err = json.Unmarshal(b, &rep)
	}
	if err != nil || !rep.Passed || len(rep.Checks) != 7 {
		t.Errorf("live report: %v %s", err, b)
	}
}
