package awsfake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// requestID is constant: the fakes are deterministic.
const requestID = "59dbff89-35bd-4eac-99ed-be587EXAMPLE"

func (e *EC2) describeImages(w http.ResponseWriter, f formValues) {
	ids := f.list("ImageId")
	if len(ids) == 0 {
		ec2Error(w, http.StatusBadRequest, "InvalidParameterCombination", "the fake answers DescribeImages by ImageId only")
		return
	}
	resp := describeImagesResponse{Xmlns: ec2Namespace, RequestID: requestID, Images: []xmlImage{}}
	for _, id := range ids {
		img := e.images[id]
		if img == nil {
			ec2Error(w, http.StatusBadRequest, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", id))
			return
		}
		resp.Images = append(resp.Images, toXMLImage(img))
	}
	writeXML(w, resp)
}

func (e *EC2) describeImageAttribute(w http.ResponseWriter, f formValues) {
	id, attr := f.get("ImageId"), f.get("Attribute")
	img := e.images[id]
	switch {
	case attr != "launchPermission":
		ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", "the fake answers the launchPermission attribute only, not "+attr)
	case img == nil:
		ec2Error(w, http.StatusBadRequest, "InvalidAMIID.NotFound", fmt.Sprintf("The image id '[%s]' does not exist", id))
	default:
		perms := slices.Clone(img.LaunchPermissions)
		if img.Public && !slices.ContainsFunc(perms, func(p Permission) bool { return p.Group == "all" }) {
			perms = append(perms, Permission{Group: "all"})
		}
		writeXML(w, imageAttributeResponse{Xmlns: ec2Namespace, RequestID: requestID, ImageID: id, LaunchPermissions: toXMLPermissions(perms)})
	}
}

func (e *EC2) describeSnapshotAttribute(w http.ResponseWriter, f formValues) {
	id, attr := f.get("SnapshotId"), f.get("Attribute")
	snap := e.snapshots[id]
	switch {
	case attr != "createVolumePermission":
		ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", "the fake answers the createVolumePermission attribute only, not "+attr)
	case snap == nil:
		ec2Error(w, http.StatusBadRequest, "InvalidSnapshot.NotFound", fmt.Sprintf("The snapshot '%s' does not exist.", id))
	default:
		writeXML(w, snapshotAttributeResponse{Xmlns: ec2Namespace, RequestID: requestID, SnapshotID: id, Permissions: toXMLPermissions(snap.CreateVolumePermissions)})
	}
}

func (e *EC2) createTags(w http.ResponseWriter, f formValues) {
	ids, tags := f.list("ResourceId"), f.tags()
	if !e.checkTagCall(w, ids, tags) {
		return
	}
	for _, id := range ids {
		for k, v := range tags {
			e.tagsOf(id)[k] = v
		}
	}
	e.calls = append(e.calls, TagCall{Action: "CreateTags", Resources: ids, Tags: tags})
	writeXML(w, tagsResponse{XMLName: xml.Name{Local: "CreateTagsResponse"}, Xmlns: ec2Namespace, RequestID: requestID, Return: true})
}

// deleteTags removes each key, or only where its value matches when a value is given.
func (e *EC2) deleteTags(w http.ResponseWriter, f formValues) {
	ids, tags := f.list("ResourceId"), f.tags()
	if !e.checkTagCall(w, ids, tags) {
		return
	}
	for _, id := range ids {
		have := e.tagsOf(id)
		for k, v := range tags {
			if v == "" || have[k] == v {
				delete(have, k)
			}
		}
	}
	e.calls = append(e.calls, TagCall{Action: "DeleteTags", Resources: ids, Tags: tags})
	writeXML(w, tagsResponse{XMLName: xml.Name{Local: "DeleteTagsResponse"}, Xmlns: ec2Namespace, RequestID: requestID, Return: true})
}

// checkTagCall refuses what EC2 refuses: no resources, an unknown resource, an aws: key.
func (e *EC2) checkTagCall(w http.ResponseWriter, ids []string, tags map[string]string) bool {
	if len(ids) == 0 {
		ec2Error(w, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter resourceIdSet")
		return false
	}
	for _, id := range ids {
		if e.tagsOf(id) == nil {
			ec2Error(w, http.StatusBadRequest, "InvalidID", fmt.Sprintf("The ID '%s' is not valid", id))
			return false
		}
	}
	for k := range tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
			return false
		}
	}
	return true
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(v)
}

// ec2Error writes the EC2 error document (<Response><Errors><Error>...).
func ec2Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(ec2ErrorResponse{Errors: []xmlError{{Code: code, Message: msg}}, RequestID: requestID})
}
