// Package cleanup is the catalogue at the heart of the plugin: every operation says what it
// removes from a guest (a POSIX sh or PowerShell fragment, embedded from scripts/) and which
// checks prove that it is gone. Checks are Go functions over an io/fs.FS rooted at the
// guest's "/", so the same code runs on fstest.MapFS, on files fetched from a live guest and
// on a filesystem read from a disk image.
//
// Like virt-sysprep, each operation and each check lives in a small file of its own and is
// registered in one list (operations.go, checks.go); selection, defaults and the generated
// docs all come from those records.
package cleanup

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

// OS is the guest operating-system family an operation or check applies to.
type OS string

const (
	Linux   OS = "linux"
	Windows OS = "windows"
)

// Operation is one cleanup step that runs on the guest.
type Operation struct {
	// ID is the stable name used in `operations = [...]`, e.g. "ssh-hostkeys".
	ID string
	OS OS
	// Default operations run when the selection says "defaults".
	Default bool
	// Summary is one line for the UI and the docs.
	Summary string
	// Script is the fragment's file name under scripts/<os>/.
	Script string
	// Checks are the IDs of the checks that prove the operation worked.
	Checks []string
}

//go:embed scripts
var scripts embed.FS

// Fragment returns the operation's script fragment.
func (o Operation) Fragment() (string, error) {
	b, err := scripts.ReadFile("scripts/" + string(o.OS) + "/" + o.Script)
	if err != nil {
		return "", fmt.Errorf("operation %s: fragment %s: %w", o.ID, o.Script, err)
	}
	return string(b), nil
}

// Operations returns the registered operations of one OS in run order.
func Operations(os OS) []Operation {
	var out []Operation
	for _, o := range operations {
		if o.OS == os {
			out = append(out, o)
		}
	}
	return out
}

// Operation looks an operation up by ID.
func LookupOperation(os OS, id string) (Operation, bool) {
	for _, o := range operations {
		if o.OS == os && o.ID == id {
			return o, true
		}
	}
	return Operation{}, false
}

// Checks returns the registered checks of one OS in catalogue order.
func Checks(os OS) []Check {
	var out []Check
	for _, c := range checks {
		if c.OS == os {
			out = append(out, c)
		}
	}
	return out
}

// LookupCheck looks a check up by ID.
func LookupCheck(os OS, id string) (Check, bool) {
	for _, c := range checks {
		if c.OS == os && c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// validateCatalogue is called from tests: every operation's fragment exists and every
// check it names is registered for the same OS; IDs are unique.
func validateCatalogue() error {
	seen := map[string]bool{}
	for _, o := range operations {
		key := string(o.OS) + "/op/" + o.ID
		if seen[key] {
			return fmt.Errorf("operation %s registered twice for %s", o.ID, o.OS)
		}
		seen[key] = true
		if _, err := o.Fragment(); err != nil {
			return err
		}
		for _, id := range o.Checks {
			if _, ok := LookupCheck(o.OS, id); !ok {
				return fmt.Errorf("operation %s names unknown check %q", o.ID, id)
			}
		}
	}
	for _, c := range checks {
		key := string(c.OS) + "/check/" + c.ID
		if seen[key] {
			return fmt.Errorf("check %s registered twice for %s", c.ID, c.OS)
		}
		seen[key] = true
		if c.Run == nil {
			return fmt.Errorf("check %s has no function", c.ID)
		}
	}
	return nil
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	sort.Strings(out)
	return out
}

func joinIDs(list []string) string { return strings.Join(list, ", ") }
