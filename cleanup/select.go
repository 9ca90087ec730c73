package cleanup

import (
	"fmt"
	"strings"
)

// Select resolves a virt-sysprep style selection such as
// ["defaults", "-logfiles", "+zero-free-space"] against a list of IDs, left to right:
// "defaults" adds every default item, "all" adds every item, "ID" or "+ID" adds one,
// "-ID" removes one. An empty selection means ["defaults"]. The result keeps catalogue
// order. An unknown ID is an error naming the valid ones.
func Select(kind string, selection []string, all []string, defaults []string) ([]string, error) {
	if len(selection) == 0 {
		selection = []string{"defaults"}
	}
	known := map[string]bool{}
	for _, id := range all {
		known[id] = true
	}
	chosen := map[string]bool{}
	var errs []string
	for _, raw := range selection {
		item := strings.TrimSpace(raw)
		remove := strings.HasPrefix(item, "-")
		item = strings.TrimLeft(item, "+-")
		switch {
		case item == "defaults" || item == "all":
			list := defaults
			if item == "all" {
				list = all
			}
			for _, id := range list {
				chosen[id] = !remove
			}
		case known[item]:
			chosen[item] = !remove
		default:
			errs = append(errs, fmt.Sprintf("%q", raw))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("unknown %s %s; valid: defaults, all, %s",
			kind, strings.Join(errs, ", "), joinIDs(sortedCopy(all)))
	}
	var out []string
	for _, id := range all {
		if chosen[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// SelectOperations resolves an `operations` selection for one OS.
func SelectOperations(os OS, selection []string) ([]Operation, error) {
	ops := Operations(os)
	var all, defaults []string
	for _, o := range ops {
		all = append(all, o.ID)
		if o.Default {
			defaults = append(defaults, o.ID)
		}
	}
	chosen, err := Select(string(os)+" operation", selection, all, defaults)
	if err != nil {
		return nil, err
	}
	out := make([]Operation, 0, len(chosen))
	for _, id := range chosen {
		o, _ := LookupOperation(os, id)
		out = append(out, o)
	}
	return out, nil
}

// SelectChecks resolves a `checks` selection for one OS. Every check but the optional
// ones is a default one: a verifier that skips checks unless told to would pass residue
// silently. Optional checks (such as build-user, which needs to know the build account)
// run only when named or when an operation that they prove is selected.
func SelectChecks(os OS, selection []string) ([]Check, error) {
	cs := Checks(os)
	var all, defaults []string
	for _, c := range cs {
		all = append(all, c.ID)
		if !c.Optional {
			defaults = append(defaults, c.ID)
		}
	}
	chosen, err := Select(string(os)+" check", selection, all, defaults)
	if err != nil {
		return nil, err
	}
	out := make([]Check, 0, len(chosen))
	for _, id := range chosen {
		c, _ := LookupCheck(os, id)
		out = append(out, c)
	}
	return out, nil
}

func sortedCopy(in []string) []string {
	return ids(in, func(s string) string { return s })
}
