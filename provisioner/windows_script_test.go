package provisioner

import (
	"bytes"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// GoldenSelf is the script path the golden files are made with; the WinRM e2e compares the
// script it received after putting this path in place of the real one.
const GoldenSelf = "C:/Windows/Temp/sanitize-GOLDEN.ps1"

// goldenScripts are the configurations whose assembled PowerShell is kept in testdata/.
// windows-defaults is also what example/windows-winrm.pkr.hcl asks for.
var goldenScripts = map[string]map[string]interface{}{
	"windows-defaults": {"guest_os_type": "windows"},
	"windows-all": {"guest_os_type": "windows", "operations": []string{"all"}, "sysprep_mode": "generic",
		"sysprep_unattend": "testdata/unattend.xml", "remove_local_accounts": []string{"build", "o'brien"},
		"on_operation_error": "warn", "fetch_max_bytes": 1 << 20},
	"windows-no-verify": {"guest_os_type": "windows", "verify": false, "sysprep_mode": "none", "operations": []string{"shell-history", "logfiles"}},
}

// assembleGolden builds a configuration's Windows script as Provision does.
func assembleGolden(t *testing.T, raw map[string]interface{}) string {
	t.Helper()
	var p Provisioner
	if err := p.Prepare(raw); err != nil {
		t.Fatal(err)
	}
	ops, checks, _, err := p.selection(cleanup.Windows)
	if err != nil {
		t.Fatal(err)
	}
	script, err := windowsScript(ops, checks, p.windowsSettings(GoldenSelf))
	if err != nil {
		t.Fatal(err)
	}
	return script
}

func TestWindowsScriptGolden(t *testing.T) {
	for name, raw := range goldenScripts {
		t.Run(name, func(t *testing.T) {
			script := assembleGolden(t, raw)
			file := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./provisioner -run Golden -update)", err)
			}
			if script != string(want) {
				t.Fatalf("the assembled script differs from %s; if the change is intended, run go test ./provisioner -run Golden -update and review the diff", file)
			}
		})
	}
}

func TestWindowsScriptShape(t *testing.T) {
	script := assembleGolden(t, goldenScripts["windows-all"])
	if !strings.HasPrefix(script, "\uFEFF") {
		t.Error("no UTF-8 byte order mark: Windows PowerShell 5.1 would read the script in the ANSI code page")
	}
	ops, _ := cleanup.SelectOperations(cleanup.Windows, []string{"all"})
	last := -1
	for i, op := range ops {
		call := "Invoke-SanitizeOperation '" + op.ID + "' "
		if op.ID == sysprepOp {
			call = "Invoke-SanitizeSysprep 'sysprep' "
		}
		at := strings.Index(script, call)
		if at < last || strings.Count(script, call) != 1 {
			t.Fatalf("operation %s is not called once, in order", op.ID)
		}
		last = at
		if !strings.Contains(script, "function Invoke-SanitizeOp"+strconv.Itoa(i)+" {") {
			t.Fatalf("operation %s has no function", op.ID)
		}
	}
	gather := strings.Index(script, "\nInvoke-SanitizeGather\n")
	sysprep := strings.Index(script, "\nInvoke-SanitizeSysprep ")
	if gather < 0 || sysprep < gather || sysprep != strings.LastIndex(script, "\nInvoke-Sanitize") {
		t.Fatal("the gather must come after the operations, and Sysprep after the gather, as the last step")
	}
	if !strings.Contains(script, "$SanitizeRemoveAccounts = @('build', 'o''brien')") || !strings.Contains(script, "$SanitizeStopOnFailure = $false") {
		t.Error("settings not written")
	}
	// the answer file travels with its passwords hidden
	for _, secret := range []string{"Golden-Admin-Pass1", "Golden-Ops-Pass1"} {
		if strings.Contains(script, secret) {
			t.Errorf("the script holds %s in clear", secret)
		}
	}
	start := strings.Index(script, "$SanitizeUnattend = '") + len("$SanitizeUnattend = '")
	answer, err := base64.StdEncoding.DecodeString(script[start : start+strings.Index(script[start:], "'")])
	if err != nil || !bytes.Contains(answer, []byte(cleanup.HideUnattendPassword("Golden-Admin-Pass1", "AdministratorPassword"))) {
		t.Fatalf("the answer file is not in the script in hidden form: %v", err)
	}
}

func TestWindowsScriptDelimitersBalance(t *testing.T) {
	// No PowerShell runs here: this catches an unbalanced brace or quote in the runner or a
	// fragment, the mistake review misses most.
	texts := map[string]string{"runner": windowsRunner}
	for _, op := range cleanup.Operations(cleanup.Windows) {
		frag, err := op.Fragment()
		if err != nil {
			t.Fatal(err)
		}
		texts[op.ID] = frag
	}
	for name, text := range texts {
		if err := psBalanced(text); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPSQuote(t *testing.T) {
	for in, want := range map[string]string{"": "''", "it's": "'it''s'", "a\u2019b": "'a\u2019\u2019b'", "$x `n": "'$x `n'"} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
