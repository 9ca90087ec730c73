module github.com/goldenimage/packer-plugin-sanitize

go 1.26

replace github.com/zclconf/go-cty => github.com/nywilken/go-cty v1.13.3

require github.com/hashicorp/packer-plugin-sdk v0.6.7 // indirect
