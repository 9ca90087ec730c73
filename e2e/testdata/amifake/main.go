// Command packer-plugin-amifake is a test plugin whose builder "amifake-ami" builds
// nothing: it hands Packer an artifact shaped like amazon-ebs's (BuilderId
// mitchellh.amazonebs, Id "region:ami-…"), or with builder_id = "alibaba.alicloud" like
// alicloud-ecs's ("region:m-…"), so a real `packer build` can run sanitize-verify on
// images served by the awsfake or alicloudfake servers. Its Destroy, which Packer calls
// where it would deregister the AMI, writes destroy_marker.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/plugin"
	"github.com/hashicorp/packer-plugin-sdk/version"
	"github.com/zclconf/go-cty/cty"
)

type builderConfig struct {
	ArtifactID, DestroyMarker, BuilderID string
}

type builder struct{ cfg builderConfig }

func (b *builder) ConfigSpec() hcldec.ObjectSpec {
	return hcldec.ObjectSpec{
		"artifact_id":    &hcldec.AttrSpec{Name: "artifact_id", Type: cty.String, Required: true},
		"destroy_marker": &hcldec.AttrSpec{Name: "destroy_marker", Type: cty.String, Required: true},
		"builder_id":     &hcldec.AttrSpec{Name: "builder_id", Type: cty.String, Required: false},
	}
}

// Prepare reads the two settings by hand from the HCL body, which arrives over RPC as a
// cty object: no generated HCL2 code for a test builder.
func (b *builder) Prepare(raws ...interface{}) ([]string, []string, error) {
	for _, raw := range raws {
		v, ok := raw.(cty.Value)
		if !ok || !v.Type().IsObjectType() {
			continue
		}
		for name, dst := range map[string]*string{"artifact_id": &b.cfg.ArtifactID, "destroy_marker": &b.cfg.DestroyMarker, "builder_id": &b.cfg.BuilderID} {
			if v.Type().HasAttribute(name) && v.GetAttr(name).IsKnown() && !v.GetAttr(name).IsNull() {
				*dst = v.GetAttr(name).AsString()
			}
		}
	}
	if b.cfg.ArtifactID == "" || b.cfg.DestroyMarker == "" {
		return nil, nil, fmt.Errorf("artifact_id and destroy_marker are required")
	}
	return nil, nil, nil
}

func (b *builder) Run(_ context.Context, ui packersdk.Ui, _ packersdk.Hook) (packersdk.Artifact, error) {
	ui.Say("pretending to have built " + b.cfg.ArtifactID)
	builderID := b.cfg.BuilderID
	if builderID == "" {
		builderID = "mitchellh.amazonebs"
	}
	return &artifact{id: b.cfg.ArtifactID, marker: b.cfg.DestroyMarker, builderID: builderID}, nil
}

type artifact struct{ id, marker, builderID string }

func (a *artifact) BuilderId() string        { return a.builderID }
func (a *artifact) Files() []string          { return nil }
func (a *artifact) Id() string               { return a.id }
func (a *artifact) String() string           { return "Images were created: " + a.id }
func (a *artifact) State(string) interface{} { return nil }
func (a *artifact) Destroy() error {
	return os.WriteFile(a.marker, []byte("deregistered "+a.id+"\n"), 0o644)
}

func main() {
	pps := plugin.NewSet()
	pps.RegisterBuilder("ami", new(builder))
	pps.SetVersion(version.InitializePluginVersion("0.0.1", ""))
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
