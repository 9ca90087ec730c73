//go:generate packer-sdc mapstructure-to-hcl2 -type Config
//go:generate packer-sdc struct-markdown

// Package postprocessor is the Packer post-processor `sanitize-verify`, which re-checks the
// captured artifact offline. Not implemented yet: it refuses to run rather than pass an
// artifact it has not read.
package postprocessor

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
)

type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// Disk images or rootfs archives to verify instead of the artifact's files.
	Images []string `mapstructure:"images"`
}

type PostProcessor struct {
	config Config
}

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *PostProcessor) Configure(raws ...interface{}) error {
	return config.Decode(&p.config, &config.DecodeOpts{PluginType: "sanitize-verify"}, raws...)
}

func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, artifact packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	return nil, false, false, fmt.Errorf("sanitize-verify: not implemented yet: the artifact was NOT verified")
}
