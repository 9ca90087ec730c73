package provisioner

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

func TestLinuxScriptIsOneValidScript(t *testing.T) {
	ops, err := cleanup.SelectOperations(cleanup.Linux, []string{"all"})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := verificationChecks(cleanup.Linux, nil, ops)
	if err != nil {
		t.Fatal(err)
	}
	script, err := linuxScript(ops, checks, scriptSettings{Self: "/tmp/sanitize-x.sh", PackerPublicKey: "ssh-ed25519 AAAAC3 packer",
		KeepPasswords: []string{"console", "o'brien"}, Gather: true, FetchMaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("sh -n rejects the assembled script: %v\n%s", err, out)
	}
	// every operation runs once, in catalogue order, then the gather step
	last := -1
	for _, op := range ops {
		call := "run_op " + op.ID + " op_"
		at := strings.Index(script, call)
		if at < 0 || at < last {
			t.Fatalf("operation %s is not called in order", op.ID)
		}
		if strings.Count(script, call) != 1 {
			t.Fatalf("operation %s is called %d times", op.ID, strings.Count(script, call))
		}
		last = at
	}
	if g := strings.LastIndex(script, "\ngather\n"); g < last {
		t.Fatalf("gather does not come after the operations")
	}
	if !strings.Contains(script, "\n/etc/passwd\n") && !strings.Contains(script, "SANITIZE_NEEDS_SYSTEM='/etc/passwd\n") {
		t.Fatalf("the account list is not fetched")
	}
}

func TestShellQuoteSurvivesTheShell(t *testing.T) {
	for _, v := range []string{"", "plain", "it's", `$(touch /tmp/pwned) "x" \n`, "a\nb"} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("shellQuote(%q) came back as %q (%v)", v, out, err)
		}
	}
}
