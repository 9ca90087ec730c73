package alicloudfake

import "testing"

// Account is who the fakes know: the AccessKey a test's clients sign with, the account
// it belongs to, and how STS describes the caller ("Account", "RAMUser", ...).
type Account struct {
	KeyID, Secret, Owner, IdentityType string
}

// Pair is an ECS fake and the STS fake beside it, served on 127.0.0.1.
type Pair struct {
	ECS                      *ECS
	STS                      *STS
	ECSEndpoint, STSEndpoint string // "http://127.0.0.1:port"
}

// StartPair serves an ECS fake holding images and an STS fake, both knowing the
// account's key, and sets ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY to it (and no
// security token), as the alicloud Packer plugin reads them.
func StartPair(t testing.TB, a Account, images ...Image) *Pair {
	t.Helper()
	t.Setenv("ALICLOUD_ACCESS_KEY", a.KeyID)
	t.Setenv("ALICLOUD_SECRET_KEY", a.Secret)
	t.Setenv("ALICLOUD_SECURITY_TOKEN", "")
	p := &Pair{ECS: NewECS(), STS: NewSTS(a.IdentityType, a.Owner)}
	p.ECS.AddCredentials(a.KeyID, a.Secret, "")
	p.STS.AddCredentials(a.KeyID, a.Secret, "")
	for _, img := range images {
		p.ECS.AddImage(img)
	}
	p.ECSEndpoint, p.STSEndpoint = "http://"+Serve(t, p.ECS), "http://"+Serve(t, p.STS)
	return p
}

// GoldenImage is the custom image the tests verify: "golden-debian" of account
// 1234567890123456, tagged team=platform, with disks in the order given.
func GoldenImage(region, id string, disks ...Disk) Image {
	return Image{Region: region, ID: id, Name: "golden-debian", OwnerID: 1234567890123456,
		Disks: disks, Tags: map[string]string{"team": "platform"}}
}
