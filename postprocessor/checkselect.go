package postprocessor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// checkOSes are the guests sanitize-verify knows: a volume with /etc gets the Linux
// checks, a Windows system drive the Windows ones.
var checkOSes = []cleanup.OS{cleanup.Linux, cleanup.Windows}

// selectChecks resolves the `checks` selection against the Linux and the Windows
// catalogues at once, Linux's first. Each item applies to the OSes that know its ID
// ("tmp-files" to both, "sysprep-state" to Windows only); an ID no OS knows is an error.
// An OS that none of the items selects gets no checks: ["ssh-host-keys"] runs no
// Windows check, as it runs no other Linux one.
func selectChecks(selection []string) ([]cleanup.Check, error) {
	var all []cleanup.Check
	var unknown, valid []string
	for _, raw := range selection {
		id := strings.TrimLeft(strings.TrimSpace(raw), "+-")
		if id == "defaults" || id == "all" || slices.ContainsFunc(checkOSes, func(os cleanup.OS) bool { _, ok := cleanup.LookupCheck(os, id); return ok }) {
			continue
		}
		unknown = append(unknown, fmt.Sprintf("%q", raw))
	}
	if len(unknown) > 0 {
		for _, os := range checkOSes {
			for _, c := range cleanup.Checks(os) {
				if !slices.Contains(valid, c.ID) {
					valid = append(valid, c.ID)
				}
			}
		}
		slices.Sort(valid)
		return nil, fmt.Errorf("unknown check %s; valid: defaults, all, %s", strings.Join(unknown, ", "), strings.Join(valid, ", "))
	}
	for _, os := range checkOSes {
		var mine []string
		for _, raw := range selection {
			id := strings.TrimLeft(strings.TrimSpace(raw), "+-")
			if _, ok := cleanup.LookupCheck(os, id); ok || id == "defaults" || id == "all" {
				mine = append(mine, raw)
			}
		}
		if len(selection) > 0 && len(mine) == 0 {
			continue
		}
		chosen, err := cleanup.SelectChecks(os, mine)
		if err != nil {
			return nil, err
		}
		all = append(all, chosen...)
	}
	return all, nil
}

// checksFor keeps the checks of one OS.
func checksFor(checks []cleanup.Check, os cleanup.OS) []cleanup.Check {
	var out []cleanup.Check
	for _, c := range checks {
		if c.OS == os {
			out = append(out, c)
		}
	}
	return out
}
