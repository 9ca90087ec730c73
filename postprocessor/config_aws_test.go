package postprocessor

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hcldec"
)

func TestConfigureAWS(t *testing.T) {
	var p PostProcessor
	err := p.Configure(map[string]interface{}{
		"on_residue":      "quarantine",
		"approve_tags":    map[string]string{"status": "approved"},
		"quarantine_tags": map[string]string{"status": "quarantined"},
		"aws": map[string]interface{}{
			"profile": "build", "endpoint_ec2": "https://vpce-1.ec2.us-east-1.vpce.amazonaws.com",
			"allowed_account_ids":       []string{"222222222222"},
			"allowed_organization_arns": []string{"arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"},
			"allow_root_credentials":    true, "read_workers": 32,
		},
		"allow": []map[string]interface{}{{"check": "ami-shared", "reason": "shared with the DR account on purpose"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := p.config
	if c.OnResidue != "quarantine" || c.AWS.Profile != "build" || !c.AWS.AllowRootCredentials || c.AWS.ReadWorkers != 32 ||
		c.AWS.CacheMB != DefaultAWSCacheMB || c.AWS.settings().Endpoints.EC2 == "" || c.QuarantineTags["status"] != "quarantined" {
		t.Errorf("not decoded: %+v", c)
	}
	if o := c.AWS.readOptions(); o.Workers != 32 || o.CacheBytes != DefaultAWSCacheMB<<20 {
		t.Errorf("read options %+v", o)
	}

	p = PostProcessor{}
	if err := p.Configure(map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	if p.config.AWS.ReadWorkers != DefaultAWSReadWorkers || p.config.AWS.AllowRootCredentials {
		t.Errorf("aws defaults: %+v", p.config.AWS)
	}
}

func TestConfigureAWSErrors(t *testing.T) {
	var p PostProcessor
	err := p.Configure(map[string]interface{}{
		"on_residue":   "quarantine",
		"approve_tags": map[string]string{"aws:owner": "x", "sanitize:verified": "forged", "ok": strings.Repeat("v", 300)},
		"aws": map[string]interface{}{
			"endpoint_sts":              "localhost:8080",
			"allowed_account_ids":       []string{"12345"},
			"allowed_organization_arns": []string{"o-a1b2c3d4e5"},
			"read_workers":              -1, "cache_mb": 1 << 20,
		},
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`approve_tags: tag key "aws:owner"`, "approve_tags: sanitize:verified is written by the plugin",
		`the value of tag "ok" is longer than 256`, `on_residue = "quarantine" needs quarantine_tags`,
		`aws.endpoint_sts: "localhost:8080"`, `aws.allowed_account_ids[0]: "12345"`,
		`aws.allowed_organization_arns[0]: "o-a1b2c3d4e5"`, "aws.read_workers: -1", "aws.cache_mb: 1048576",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if err := (&PostProcessor{}).Configure(map[string]interface{}{"on_residue": "ignore"}); err == nil ||
		!strings.Contains(err.Error(), "fail, quarantine, warn") {
		t.Errorf("on_residue: %v", err)
	}
}

// The HCL2 spec has the aws block and the tag maps, as packer-sdc generated them.
func TestHCL2SpecHasAWS(t *testing.T) {
	spec := (&PostProcessor{}).ConfigSpec()
	if _, ok := spec["aws"].(*hcldec.BlockSpec); !ok {
		t.Errorf("aws is %T, want a block", spec["aws"])
	}
	for _, attr := range []string{"approve_tags", "quarantine_tags"} {
		if _, ok := spec[attr].(*hcldec.AttrSpec); !ok {
			t.Errorf("%s is %T, want an attribute", attr, spec[attr])
		}
	}
}
