package provisioner

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// DefaultFetchMaxBytes is the largest file the gather step fetches (fetch_max_bytes).
const DefaultFetchMaxBytes = 4 << 20

// GatherScript is the guest script that runs no operation and only gathers the files
// checks read, as the provisioner's verification does: sanitize-verify's launch mode
// runs it on a temporary instance. Pipe it to `sh -s` as root; self is a path the script
// removes as it starts ("" when it is read from stdin).
func GatherScript(checks []cleanup.Check, self string, fetchMaxBytes int64) (string, error) {
	if fetchMaxBytes <= 0 {
		fetchMaxBytes = DefaultFetchMaxBytes
	}
	return linuxScript(nil, checks, scriptSettings{Self: self, Gather: true, FetchMaxBytes: fetchMaxBytes})
}

// ParseGathered reads the output of GatherScript and returns the tar.gz of the files
// (archivefs.Read opens it). A missing end marker or archive is an error, never an
// empty pass.
func ParseGathered(out string) ([]byte, error) {
	res, err := parseOutput(out, nil, true)
	if err != nil {
		return nil, err
	}
	if len(res.Archive) == 0 {
		return nil, fmt.Errorf("the gather script sent an empty archive")
	}
	return res.Archive, nil
}
