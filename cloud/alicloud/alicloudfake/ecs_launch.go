package alicloudfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"golang.org/x/crypto/ssh"
)

// Launched is an instance the fake "runs": OnRun receives it with the public key of
// its key pair, to install it where the SSH target reads it (as cloud-init does).
type Launched struct {
	ID, ImageID, KeyPairName string
	PublicKey                string // authorized_keys line
	Params                   url.Values
}

// launchState holds the key pairs and instances of launch mode.
type launchState struct {
	// OnRun is called by RunInstances; an error fails the call.
	OnRun func(Launched) error
	// Address is the IP every instance has, private and public. Default: 127.0.0.1.
	Address  string
	keyPairs map[string]string // name -> public key line
	// instances: id -> how many more DescribeInstances calls before Running
	instances map[string]int
	seq       int
}

// SetOnRun sets the hook RunInstances calls.
func (e *ECS) SetOnRun(f func(Launched) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.launch.OnRun = f
}

// Live returns the instances and key pairs that exist (were not deleted).
func (e *ECS) Live() (instances, keyPairs []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id := range e.launch.instances {
		instances = append(instances, id)
	}
	for name := range e.launch.keyPairs {
		keyPairs = append(keyPairs, name)
	}
	slices.Sort(instances)
	slices.Sort(keyPairs)
	return instances, keyPairs
}

// launchAction answers the launch-mode actions; handled is false for any other action.
func (e *ECS) launchAction(action string, p url.Values) (map[string]any, *APIError, bool) {
	switch action {
	case "CreateKeyPair":
		b, err := e.createKeyPair(p)
		return b, err, true
	case "DeleteKeyPairs":
		var names []string
		if json.Unmarshal([]byte(p.Get("KeyPairNames")), &names) != nil || len(names) == 0 {
			return nil, &APIError{http.StatusBadRequest, "InvalidKeyPairNames.Malformed", "The specified parameter KeyPairNames is not valid."}, true
		}
		e.mu.Lock()
		for _, n := range names {
			delete(e.launch.keyPairs, n)
		}
		e.mu.Unlock()
		return map[string]any{}, nil, true
	case "RunInstances":
		b, err := e.runInstances(p)
		return b, err, true
	case "DescribeInstances":
		b, err := e.describeInstances(p)
		return b, err, true
	case "DeleteInstance":
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, ok := e.launch.instances[p.Get("InstanceId")]; !ok {
			return nil, &APIError{http.StatusNotFound, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist."}, true
		}
		if p.Get("Force") != "true" {
			return nil, &APIError{http.StatusForbidden, "IncorrectInstanceStatus", "The current status of the resource does not support this operation."}, true
		}
		delete(e.launch.instances, p.Get("InstanceId"))
		return map[string]any{}, nil, true
	}
	return nil, nil, false
}

func (e *ECS) createKeyPair(p url.Values) (map[string]any, *APIError) {
	name := p.Get("KeyPairName")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, &APIError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	pub, _ := ssh.NewPublicKey(&key.PublicKey)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.launch.keyPairs == nil {
		e.launch.keyPairs = map[string]string{}
	}
	if _, dup := e.launch.keyPairs[name]; dup || name == "" {
		return nil, &APIError{http.StatusBadRequest, "KeyPair.AlreadyExist", "The key pair already exist."}
	}
	e.launch.keyPairs[name] = string(ssh.MarshalAuthorizedKey(pub))
	e.launch.seq++
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return map[string]any{"KeyPairId": fmt.Sprintf("kp-bp1fake%012d", e.launch.seq), "KeyPairName": name,
		"KeyPairFingerPrint": ssh.FingerprintLegacyMD5(pub), "PrivateKeyBody": string(priv)}, nil
}

func (e *ECS) runInstances(p url.Values) (map[string]any, *APIError) {
	e.mu.Lock()
	img := e.images[p.Get("RegionId")+"/"+p.Get("ImageId")]
	pub, hasKey := e.launch.keyPairs[p.Get("KeyPairName")]
	onRun := e.launch.OnRun
	e.mu.Unlock()
	switch {
	case img == nil:
		return nil, &APIError{http.StatusNotFound, "InvalidImageId.NotFound", "The specified ImageId does not exist."}
	case !hasKey:
		return nil, &APIError{http.StatusNotFound, "InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist."}
	case p.Get("InstanceType") == "" || p.Get("VSwitchId") == "" || p.Get("SecurityGroupId") == "":
		return nil, &APIError{http.StatusBadRequest, "MissingParameter", "InstanceType, VSwitchId and SecurityGroupId are mandatory here."}
	}
	e.mu.Lock()
	e.launch.seq++
	id := fmt.Sprintf("i-bp1fake%012d", e.launch.seq)
	e.mu.Unlock()
	if onRun != nil {
		if err := onRun(Launched{ID: id, ImageID: img.ID, KeyPairName: p.Get("KeyPairName"), PublicKey: pub, Params: p}); err != nil {
			return nil, &APIError{http.StatusInternalServerError, "InternalError", "the fake could not start the instance: " + err.Error()}
		}
	}
	e.mu.Lock()
	if e.launch.instances == nil {
		e.launch.instances = map[string]int{}
	}
	e.launch.instances[id] = 2 // Pending, then Starting, then Running
	e.mu.Unlock()
	return map[string]any{"InstanceIdSets": map[string]any{"InstanceIdSet": []string{id}}, "OrderId": "", "TradePrice": 0}, nil
}

func (e *ECS) describeInstances(p url.Values) (map[string]any, *APIError) {
	var ids []string
	if json.Unmarshal([]byte(p.Get("InstanceIds")), &ids) != nil {
		return nil, &APIError{http.StatusBadRequest, "InvalidInstanceIds.Malformed", "The specified parameter InstanceIds is not valid."}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	addr := e.launch.Address
	if addr == "" {
		addr = "127.0.0.1"
	}
	var list []map[string]any
	for _, id := range ids {
		left, ok := e.launch.instances[id]
		if !ok {
			continue
		}
		status := map[int]string{2: "Pending", 1: "Starting", 0: "Running"}[left]
		if left > 0 {
			e.launch.instances[id] = left - 1
		}
		public := []string{addr}
		list = append(list, map[string]any{"InstanceId": id, "Status": status, "RegionId": p.Get("RegionId"),
			"InstanceNetworkType": "vpc", "PublicIpAddress": map[string]any{"IpAddress": public},
			"EipAddress":    map[string]any{"IpAddress": "", "AllocationId": "", "InternetChargeType": ""},
			"VpcAttributes": map[string]any{"PrivateIpAddress": map[string]any{"IpAddress": []string{addr}}, "VpcId": "vpc-bp1fake", "VSwitchId": "vsw-bp1fake"}})
	}
	return map[string]any{"TotalCount": len(list), "PageNumber": 1, "PageSize": 10, "Instances": map[string]any{"Instance": nonNil(list)}}, nil
}
