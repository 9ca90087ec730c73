package awsfake

import (
	"encoding/xml"
	"slices"
)

// The shapes below follow the EC2 API reference's response samples (2016-11-15).

type describeImagesResponse struct {
	XMLName   xml.Name   `xml:"DescribeImagesResponse"`
	Xmlns     string     `xml:"xmlns,attr"`
	RequestID string     `xml:"requestId"`
	Images    []xmlImage `xml:"imagesSet>item"`
}

type xmlImage struct {
	ImageID            string   `xml:"imageId"`
	ImageLocation      string   `xml:"imageLocation"`
	State              string   `xml:"imageState"`
	OwnerID            string   `xml:"imageOwnerId"`
	CreationDate       string   `xml:"creationDate"`
	Public             bool     `xml:"isPublic"`
	Architecture       string   `xml:"architecture"`
	ImageType          string   `xml:"imageType"`
	Name               string   `xml:"name"`
	RootDeviceType     string   `xml:"rootDeviceType"`
	RootDeviceName     string   `xml:"rootDeviceName"`
	BlockDevices       []xmlBDM `xml:"blockDeviceMapping>item"`
	VirtualizationType string   `xml:"virtualizationType"`
	Tags               []xmlTag `xml:"tagSet>item"`
	Hypervisor         string   `xml:"hypervisor"`
	EnaSupport         bool     `xml:"enaSupport"`
	PlatformDetails    string   `xml:"platformDetails"`
	UsageOperation     string   `xml:"usageOperation"`
}

type xmlBDM struct {
	DeviceName  string  `xml:"deviceName"`
	VirtualName string  `xml:"virtualName,omitempty"`
	Ebs         *xmlEbs `xml:"ebs,omitempty"`
}

type xmlEbs struct {
	SnapshotID          string `xml:"snapshotId"`
	VolumeSize          int    `xml:"volumeSize"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	VolumeType          string `xml:"volumeType"`
	Encrypted           bool   `xml:"encrypted"`
	KmsKeyID            string `xml:"kmsKeyId,omitempty"`
}

type xmlTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type imageAttributeResponse struct {
	XMLName           xml.Name        `xml:"DescribeImageAttributeResponse"`
	Xmlns             string          `xml:"xmlns,attr"`
	RequestID         string          `xml:"requestId"`
	ImageID           string          `xml:"imageId"`
	LaunchPermissions []xmlPermission `xml:"launchPermission>item"`
}

type snapshotAttributeResponse struct {
	XMLName     xml.Name        `xml:"DescribeSnapshotAttributeResponse"`
	Xmlns       string          `xml:"xmlns,attr"`
	RequestID   string          `xml:"requestId"`
	SnapshotID  string          `xml:"snapshotId"`
	Permissions []xmlPermission `xml:"createVolumePermission>item"`
}

type xmlPermission struct {
	Group                 string `xml:"group,omitempty"`
	UserID                string `xml:"userId,omitempty"`
	OrganizationARN       string `xml:"organizationArn,omitempty"`
	OrganizationalUnitARN string `xml:"organizationalUnitArn,omitempty"`
}

type tagsResponse struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	RequestID string `xml:"requestId"`
	Return    bool   `xml:"return"`
}

type ec2ErrorResponse struct {
	XMLName   xml.Name   `xml:"Response"`
	Errors    []xmlError `xml:"Errors>Error"`
	RequestID string     `xml:"RequestID"`
}

type xmlError struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func toXMLImage(img *Image) xmlImage {
	x := xmlImage{
		ImageID: img.ID, ImageLocation: img.OwnerID + "/" + img.Name, State: img.State,
		OwnerID: img.OwnerID, CreationDate: "2026-11-01T10:00:00.000Z", Public: img.Public,
		Architecture: "x86_64", ImageType: "machine", Name: img.Name, RootDeviceType: "ebs",
		VirtualizationType: "hvm", Hypervisor: "xen", EnaSupport: true,
		PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
	}
	if x.State == "" {
		x.State = "available"
	}
	for i, d := range img.Devices {
		if i == 0 {
			x.RootDeviceName = d.Name
		}
		bdm := xmlBDM{DeviceName: d.Name}
		if d.SnapshotID == "" {
			bdm.VirtualName = "ephemeral" + string(rune('0'+i%10))
		} else {
			bdm.Ebs = &xmlEbs{SnapshotID: d.SnapshotID, VolumeSize: max(d.SizeGiB, 1), DeleteOnTermination: true,
				VolumeType: "gp3", Encrypted: d.Encrypted, KmsKeyID: d.KMSKeyID}
		}
		x.BlockDevices = append(x.BlockDevices, bdm)
	}
	for _, k := range keysOf(img.Tags) {
		x.Tags = append(x.Tags, xmlTag{k, img.Tags[k]})
	}
	return x
}

func toXMLPermissions(perms []Permission) []xmlPermission {
	out := make([]xmlPermission, 0, len(perms))
	for _, p := range slices.Clone(perms) {
		out = append(out, xmlPermission(p))
	}
	return out
}
