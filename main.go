package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/goldenimage/packer-plugin-sanitize/postprocessor"
	"github.com/goldenimage/packer-plugin-sanitize/provisioner"
	"github.com/goldenimage/packer-plugin-sanitize/version"
)

func main() {
	pps := plugin.NewSet()
	pps.RegisterProvisioner(plugin.DEFAULT_NAME, new(provisioner.Provisioner))
	pps.RegisterPostProcessor("verify", new(postprocessor.PostProcessor))
	pps.SetVersion(version.PluginVersion)
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}
