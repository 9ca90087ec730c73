package postprocessor

import (
	"fmt"
	"strings"
	"text/tabwriter"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// maxShownFindings keeps the build log readable; the report holds every finding.
const maxShownFindings = 100

// showFindings prints the summary table: one line per finding, failing ones as errors,
// then what could not be verified.
func showFindings(ui packersdk.Ui, rep *Report) {
	s := rep.Summary
	ui.Say(fmt.Sprintf("%d finding(s): %d failing (at or above %s), %d allowed, %d below; %d not verified",
		s.Findings, s.Failing, rep.FailOn, s.Allowed, s.Findings-s.Failing-s.Allowed, s.NotVerified))
	if len(rep.Findings) > 0 {
		var b strings.Builder
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tCHECK\tPATH\tSOURCE\tMESSAGE")
		for i, f := range rep.Findings {
			if i == maxShownFindings {
				fmt.Fprintf(tw, "…\t\t%d more in the report\t\t\n", len(rep.Findings)-i)
				break
			}
			msg := f.Message
			if f.Allowed {
				msg = "ALLOWED (" + f.Reason + "): " + msg
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Check, f.Path, f.Source, msg)
		}
		tw.Flush()
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		ui.Message(lines[0])
		for i, line := range lines[1:] {
			if i < len(rep.Findings) && rep.failing(rep.Findings[i]) {
				ui.Error("  " + line)
			} else {
				ui.Message("  " + line)
			}
		}
	}
	for _, nv := range rep.NotVerified {
		what := nv.Source
		if nv.Check != "" {
			what += ": check " + nv.Check
		}
		ui.Error(fmt.Sprintf("  NOT VERIFIED %s: %s", what, nv.Error))
	}
}
