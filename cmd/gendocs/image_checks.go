package main

import (
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/cloudimage"
)

// imageChecksRegion and alicloudChecksRegion are the regions of the cloud image-level
// checks (sharing, encryption): they judge the image in the cloud, not a filesystem, so
// they have no OS.
const (
	imageChecksRegion    = "checks-ami"
	alicloudChecksRegion = "checks-alicloud"
)

func imageChecksTable() string    { return checkRowsTable(ami.Checks) }
func alicloudChecksTable() string { return checkRowsTable(ecsimage.Checks) }

func checkRowsTable(rows []cloudimage.CheckInfo) string {
	var b strings.Builder
	b.WriteString("\n| Check | Severity | What it verifies |\n")
	b.WriteString("| --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.ID, r.Severity, text(r.Summary))
	}
	b.WriteString("\n")
	return b.String()
}
