package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

func TestRenderImageChecks(t *testing.T) {
	doc := "<!-- BEGIN GENERATED: checks-linux -->\n<!-- END GENERATED: checks-linux -->\n" +
		"<!-- BEGIN GENERATED: checks-windows -->\n<!-- END GENERATED: checks-windows -->\n" +
		"<!-- BEGIN GENERATED: checks-ami -->\nstale\n<!-- END GENERATED: checks-ami -->\n" +
		"<!-- BEGIN GENERATED: checks-alicloud -->\nstale\n<!-- END GENERATED: checks-alicloud -->\n"
	got, err := render([]byte(doc), []string{"checks"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(slices.Clone(ami.Checks), ecsimage.Checks...) {
		if row := "| `" + c.ID + "` | " + c.Severity.String() + " |"; !strings.Contains(string(got), row) {
			t.Errorf("row %q missing", row)
		}
	}
	if strings.Contains(string(got), "stale") {
		t.Error("old body kept")
	}
}
