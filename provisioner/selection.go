package provisioner

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// selection resolves the operations and the live checks for the guest OS; imageOnly names
// the selected checks that only a captured image can pass.
func (p *Provisioner) selection(osType cleanup.OS) (ops []cleanup.Operation, checks []cleanup.Check, imageOnly []string, err error) {
	ops, err = cleanup.SelectOperations(osType, p.config.Operations)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sanitize: operations: %w", err)
	}
	if osType == cleanup.Windows && p.config.SysprepMode == "none" {
		ops = withoutOperation(ops, sysprepOp)
	}
	checks, err = verificationChecks(osType, p.config.Checks, ops)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sanitize: checks: %w", err)
	}
	checks, imageOnly = liveChecks(checks)
	return ops, checks, imageOnly, nil
}

// liveChecks drops the checks that only make sense on a captured image (the live guest is
// verified before Sysprep) and returns their IDs.
func liveChecks(list []cleanup.Check) (live []cleanup.Check, imageOnly []string) {
	for _, c := range list {
		if c.ImageOnly {
			imageOnly = append(imageOnly, c.ID)
			continue
		}
		live = append(live, c)
	}
	return live, imageOnly
}

func withoutOperation(ops []cleanup.Operation, id string) []cleanup.Operation {
	var out []cleanup.Operation
	for _, o := range ops {
		if o.ID != id {
			out = append(out, o)
		}
	}
	return out
}

// verificationChecks is the `checks` selection plus every check that proves a selected
// operation.
func verificationChecks(osType cleanup.OS, selection []string, ops []cleanup.Operation) ([]cleanup.Check, error) {
	selected, err := cleanup.SelectChecks(osType, selection)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, c := range selected {
		have[c.ID] = true
	}
	for _, o := range ops {
		for _, id := range o.Checks {
			if !have[id] {
				c, _ := cleanup.LookupCheck(osType, id)
				selected = append(selected, c)
				have[id] = true
			}
		}
	}
	return selected, nil
}
