package main

import (
	"fmt"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

// imageChecksRegion and alicloudChecksRegion are the regions of the cloud image-level
// checks (sharing, encryption): they judge the image in the cloud, not a filesystem, so
// they have no OS.
const (
	imageChecksRegion    = "checks-ami"
	alicloudChecksRegion = "checks-alicloud"
)

type imageCheckRow struct {
	id       string
	severity cleanup.Severity
	summary  string
}

func imageChecksTable() string {
	var rows []imageCheckRow
	for _, c := range ami.Checks {
		rows = append(rows, imageCheckRow{c.ID, c.Severity, c.Summary})
	}
	return checkRowsTable(rows)
}

func alicloudChecksTable() string {
	var rows []imageCheckRow
	for _, c := range ecsimage.Checks {
		rows = append(rows, imageCheckRow{c.ID, c.Severity, c.Summary})
	}
	return checkRowsTable(rows)
}

func checkRowsTable(rows []imageCheckRow) string {
	var b strings.Builder
	b.WriteString("\n| Check | Severity | What it verifies |\n")
	b.WriteString("| --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.id, r.severity, text(r.summary))
	}
	b.WriteString("\n")
	return b.String()
}
