package postprocessor

import (
	"strings"
	"testing"
	"time"
)

func TestConfigureAlicloud(t *testing.T) {
	var p PostProcessor
	err := p.Configure(map[string]interface{}{
		"alicloud_verify_mode": "launch",
		"alicloud": map[string]interface{}{
			"access_key": "LTAI5tCONFIGTEST0001", "secret_key": "s", "endpoint_ecs": "ecs-vpc.cn-hangzhou.aliyuncs.com",
			"allowed_account_ids": []string{"2222222222222222"}, "instance_type": "ecs.t6-c1m1.large",
			"vswitch_id": "vsw-1", "security_group_id": "sg-1", "launch_timeout": "3m",
		},
		"allow": []map[string]interface{}{{"check": "alicloud-image-shared", "reason": "shared with the DR account on purpose"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := p.config.Alicloud
	if a.SSHUsername != "root" || a.SSHPort != 22 || a.LaunchTimeout != 3*time.Minute || a.settings().Credentials.AccessKey != "LTAI5tCONFIGTEST0001" {
		t.Errorf("not decoded: %+v", a)
	}
	p = PostProcessor{}
	if err := p.Configure(map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	if p.config.AlicloudVerifyMode != "metadata" || p.config.Alicloud.ApproveMetadataOnly || p.config.Alicloud.AllowRootCredentials {
		t.Errorf("defaults: %q %+v", p.config.AlicloudVerifyMode, p.config.Alicloud)
	}
}

func TestConfigureAlicloudErrors(t *testing.T) {
	var p PostProcessor
	err := p.Configure(map[string]interface{}{
		"alicloud_verify_mode": "launch",
		"alicloud": map[string]interface{}{
			"access_key": "LTAI5tCONFIGTEST0001", "endpoint_sts": "ftp://sts", "allowed_account_ids": []string{"12ab"}, "ssh_port": 70000,
		},
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"access_key and secret_key go together", "alicloud.endpoint_sts", `"12ab" is not an Alibaba Cloud account ID`,
		"ssh_port: 70000", "instance_type is required", "vswitch_id is required", "security_group_id is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	p = PostProcessor{}
	if err := p.Configure(map[string]interface{}{"alicloud_verify_mode": "boot"}); err == nil || !strings.Contains(err.Error(), `"boot" is not one of metadata, launch`) {
		t.Errorf("bad mode: %v", err)
	}
}

// ECS's tag rules are applied before any call when the artifact is an Alibaba image.
func TestAlicloudTagRulesBeforeAnyCall(t *testing.T) {
	f := startAliFakes(t, "RAMUser", nil)
	r := f.run(t, aliID, map[string]interface{}{"approve_tags": map[string]interface{}{"acs:status": "approved"}})
	if r.err == nil || !strings.Contains(r.err.Error(), "acs: prefixes are reserved") {
		t.Fatalf("err %v", r.err)
	}
	if n := len(f.ecs.Calls()) + len(f.sts.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}
