package main

import (
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

// imageChecksRegion is the region of the AMI-level checks (sharing, encryption): they
// judge the image in the cloud, not a filesystem, so they have no OS.
const imageChecksRegion = "checks-ami"

func imageChecksTable() string {
	var b strings.Builder
	b.WriteString("\n| Check | Severity | What it verifies |\n")
	b.WriteString("| --- | --- | --- |\n")
	for _, c := range ami.Checks {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.ID, c.Severity, text(c.Summary))
	}
	b.WriteString("\n")
	return b.String()
}
