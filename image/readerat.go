package image

import (
	"errors"
	"fmt"
	"io"
)

// OpenReaderAt finds the volumes of a raw disk that is not a file: an EBS snapshot read
// through the EBS direct APIs, say. There is no container layer (the bytes are the disk's);
// the partition table and filesystems are probed exactly as Open does, and source names
// the disk in every Volume.Source (`ami-0abc snapshot snap-0def partition 1 (GPT "root")`).
//
// r must be safe for concurrent use if the volumes are checked concurrently. The Image
// holds nothing to release; Close is a no-op. A disk that cannot be read at all is an
// error; a volume that cannot be read is a Volume with Err set.
func OpenReaderAt(r io.ReaderAt, size int64, source string) (im *Image, err error) {
	if r == nil {
		return nil, errors.New(source + ": no reader")
	}
	if size <= 0 {
		return nil, fmt.Errorf("%s: the disk is empty (size %d)", source, size)
	}
	img := &Image{Path: source, Format: formatRaw}
	defer func() {
		if p := recover(); p != nil {
			im, err = nil, fmt.Errorf("%s: the image reader crashed: %v", source, p)
		}
	}()
	img.Table, img.Volumes, err = findVolumes(&device{r: r, size: size, format: formatRaw}, source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return img, nil
}
