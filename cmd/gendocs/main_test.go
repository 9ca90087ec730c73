package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// TestDocsUpToDate fails when the committed docs tables disagree with the catalogue.
func TestDocsUpToDate(t *testing.T) {
	stale, err := run(filepath.Join("..", ".."), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("docs out of date with the cleanup catalogue: %s\n"+
			"run `go run ./cmd/gendocs` (or `make generate`) and commit the result",
			strings.Join(stale, ", "))
	}
}

const skeleton = "# Page\n\n" +
	"<!-- BEGIN GENERATED: operations-linux -->\nstale\n<!-- END GENERATED: operations-linux -->\n\n" +
	"<!-- BEGIN GENERATED: operations-windows -->\n<!-- END GENERATED: operations-windows -->\n\n" +
	"<!-- BEGIN GENERATED: checks-linux -->\n<!-- END GENERATED: checks-linux -->\n\n" +
	"<!-- BEGIN GENERATED: checks-windows -->\n<!-- END GENERATED: checks-windows -->\n\ntail\n"

func TestRenderTables(t *testing.T) {
	got, err := render([]byte(skeleton), []string{"operations", "checks"})
	if err != nil {
		t.Fatal(err)
	}
	doc := string(got)
	if strings.Contains(doc, "stale") {
		t.Error("old region body kept")
	}
	if !strings.HasPrefix(doc, "# Page\n") || !strings.HasSuffix(doc, "\ntail\n") {
		t.Error("text outside the regions changed")
	}
	for _, o := range cleanup.Operations(cleanup.Linux) {
		if !strings.Contains(doc, "| `"+o.ID+"` |") {
			t.Errorf("operation %s missing from the table", o.ID)
		}
	}
	for _, c := range cleanup.Checks(cleanup.Linux) {
		row := "| `" + c.ID + "` | " + c.Severity.String() + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("check row %q missing", row)
		}
	}
	if len(cleanup.Operations(cleanup.Windows)) == 0 &&
		!strings.Contains(doc, "<!-- BEGIN GENERATED: operations-windows -->\n<!-- END") {
		t.Error("empty Windows region should stay empty")
	}
	again, err := render(got, []string{"operations", "checks"})
	if err != nil || string(again) != doc {
		t.Errorf("render is not idempotent (err %v)", err)
	}
}

func TestRenderErrors(t *testing.T) {
	cases := map[string]string{
		"unknown":      "<!-- BEGIN GENERATED: tables-linux -->\n<!-- END GENERATED: tables-linux -->\n",
		"unterminated": "<!-- BEGIN GENERATED: checks-linux -->\n",
		"twice": "<!-- BEGIN GENERATED: checks-linux -->\n<!-- END GENERATED: checks-linux -->\n" +
			"<!-- BEGIN GENERATED: checks-linux -->\n<!-- END GENERATED: checks-linux -->\n",
		"kind not on page": "<!-- BEGIN GENERATED: operations-linux -->\n<!-- END GENERATED: operations-linux -->\n",
	}
	if len(cleanup.Checks(cleanup.Linux)) > 0 {
		cases["missing region"] = "no regions here\n"
	}
	for name, doc := range cases {
		if _, err := render([]byte(doc), []string{"checks"}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCell(t *testing.T) {
	if got := cell("a |b\n  c"); got != `a \|b c` {
		t.Errorf("cell = %q", got)
	}
	if got := text("ssh_host_*key* {x} a|b"); got != `ssh\_host\_\*key\* \{x\} a\|b` {
		t.Errorf("text = %q", got)
	}
	if got := codeList(nil); got != "—" {
		t.Errorf("codeList(nil) = %q", got)
	}
}

func TestRunWritesAndChecks(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "docs", "provisioners", "sanitize.mdx")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(skeleton), 0o644); err != nil {
		t.Fatal(err)
	}
	stale, err := run(root, true)
	if err != nil || len(stale) != 1 {
		t.Fatalf("check mode on a stale page: stale %v, err %v", stale, err)
	}
	if b, _ := os.ReadFile(file); string(b) != skeleton {
		t.Fatal("check mode wrote the file")
	}
	if _, err := run(root, false); err != nil {
		t.Fatal(err)
	}
	if stale, err := run(root, true); err != nil || len(stale) != 0 {
		t.Fatalf("after writing: stale %v, err %v", stale, err)
	}
}
