package cleanup

var opZeroFreeSpace = Operation{
	ID:      "zero-free-space",
	OS:      Linux,
	Default: false,
	Summary: "Fill the free space of / and /boot with zeros and delete the fill file, so deleted secrets cannot be recovered from the image",
	Script:  "zero-free-space.sh",
	Checks:  []string{},
}
