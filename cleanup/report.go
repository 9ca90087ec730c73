package cleanup

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// maxFindingsPerCheck keeps checks over big trees (logs, temp files, caches) readable:
// after this many findings the rest are summed up in one.
const maxFindingsPerCheck = 50

// report collects one check's findings and the errors that kept it from looking
// everywhere, so a check keeps going past an unreadable file and still fails closed.
type report struct {
	check    string
	severity Severity
	findings []Finding
	errs     []error
	capped   int // findings beyond maxFindingsPerCheck, when capping
	cap      bool
}

func newReport(check string, severity Severity) *report {
	return &report{check: check, severity: severity}
}

// newCappedReport keeps at most maxFindingsPerCheck findings and counts the rest.
func newCappedReport(check string, severity Severity) *report {
	r := newReport(check, severity)
	r.cap = true
	return r
}

// add records a finding at the check's severity; p is an fs or guest path.
func (r *report) add(p, format string, args ...any) {
	r.addSeverity(r.severity, p, format, args...)
}

func (r *report) addSeverity(sev Severity, p, format string, args ...any) {
	if r.cap && len(r.findings) >= maxFindingsPerCheck {
		r.capped++
		return
	}
	r.findings = append(r.findings, Finding{
		Check:    r.check,
		Severity: sev,
		Path:     guestPath(p),
		Message:  fmt.Sprintf(format, args...),
	})
}

// fail records an error; a missing file is not one.
func (r *report) fail(err error) {
	if err != nil && !isMissing(err) {
		r.errs = append(r.errs, err)
	}
}

// result is what a Check's Run returns.
func (r *report) result() ([]Finding, error) {
	return r.findings, errors.Join(r.errs...)
}

// resultCapped adds the "and N more <what>" finding, at summaryPath, for a capped report.
func (r *report) resultCapped(summaryPath, what string) ([]Finding, error) {
	if r.capped > 0 {
		r.findings = append(r.findings, Finding{
			Check:    r.check,
			Severity: r.severity,
			Path:     guestPath(summaryPath),
			Message:  fmt.Sprintf("and %d more %s", r.capped, what),
		})
		r.capped = 0
	}
	return r.result()
}

// printable quotes text taken from the guest (a key comment, an account name) so that a
// hostile image cannot forge report lines or terminal escapes; long text is shortened.
func printable(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, s)
	if rs := []rune(s); len(rs) > max {
		s = string(rs[:max]) + "…"
	}
	return s
}
