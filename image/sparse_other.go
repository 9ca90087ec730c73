//go:build !linux

package image

import "io"

// sparse is r: holes are found on Linux only.
func sparse(r io.ReaderAt) io.ReaderAt { return r }
