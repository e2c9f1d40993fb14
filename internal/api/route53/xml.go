package route53

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/vedette-dns/vedette/internal/model"
)

// Namespace is the XML namespace of every Route 53 request and response.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

type xmlHostedZoneConfig struct {
	Comment     string `xml:"Comment,omitempty"`
	PrivateZone bool   `xml:"PrivateZone"`
}

type xmlHostedZone struct {
	ID                     string               `xml:"Id"`
	Name                   string               `xml:"Name"`
	CallerReference        string               `xml:"CallerReference"`
	Config                 *xmlHostedZoneConfig `xml:"Config"`
	ResourceRecordSetCount int64                `xml:"ResourceRecordSetCount"`
}

type xmlChangeInfo struct {
	ID          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

type xmlDelegationSet struct {
	NameServers []string `xml:"NameServers>NameServer"`
}

type xmlVPC struct {
	VPCRegion string `xml:"VPCRegion,omitempty"`
	VPCID     string `xml:"VPCId,omitempty"`
}

type xmlGeoLocation struct {
	ContinentCode   string `xml:"ContinentCode,omitempty"`
	CountryCode     string `xml:"CountryCode,omitempty"`
	SubdivisionCode string `xml:"SubdivisionCode,omitempty"`
}

type xmlCoordinates struct {
	Latitude  string `xml:"Latitude"`
	Longitude string `xml:"Longitude"`
}

type xmlGeoProximity struct {
	AWSRegion      string          `xml:"AWSRegion,omitempty"`
	LocalZoneGroup string          `xml:"LocalZoneGroup,omitempty"`
	Coordinates    *xmlCoordinates `xml:"Coordinates,omitempty"`
	Bias           *int64          `xml:"Bias,omitempty"`
}

type xmlAliasTarget struct {
	HostedZoneID         string `xml:"HostedZoneId"`
	DNSName              string `xml:"DNSName"`
	EvaluateTargetHealth bool   `xml:"EvaluateTargetHealth"`
}

type xmlCidrRouting struct {
	CollectionID string `xml:"CollectionId"`
	LocationName string `xml:"LocationName"`
}

type xmlResourceRecord struct {
	Value string `xml:"Value"`
}

type xmlResourceRecords struct {
	Records []xmlResourceRecord `xml:"ResourceRecord"`
}

// xmlRRSet is a ResourceRecordSet, elements in model order.
type xmlRRSet struct {
	Name                    string              `xml:"Name"`
	Type                    string              `xml:"Type"`
	SetIdentifier           string              `xml:"SetIdentifier,omitempty"`
	Weight                  *int64              `xml:"Weight,omitempty"`
	Region                  string              `xml:"Region,omitempty"`
	GeoLocation             *xmlGeoLocation     `xml:"GeoLocation,omitempty"`
	Failover                string              `xml:"Failover,omitempty"`
	MultiValueAnswer        *bool               `xml:"MultiValueAnswer,omitempty"`
	TTL                     *int64              `xml:"TTL,omitempty"`
	ResourceRecords         *xmlResourceRecords `xml:"ResourceRecords,omitempty"`
	AliasTarget             *xmlAliasTarget     `xml:"AliasTarget,omitempty"`
	HealthCheckID           string              `xml:"HealthCheckId,omitempty"`
	TrafficPolicyInstanceID string              `xml:"TrafficPolicyInstanceId,omitempty"`
	CidrRoutingConfig       *xmlCidrRouting     `xml:"CidrRoutingConfig,omitempty"`
	GeoProximityLocation    *xmlGeoProximity    `xml:"GeoProximityLocation,omitempty"`
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func zoneXML(z *model.HostedZone) xmlHostedZone {
	return xmlHostedZone{
		ID:                     "/hostedzone/" + z.ID,
		Name:                   model.APIName(z.Name),
		CallerReference:        z.CallerReference,
		Config:                 &xmlHostedZoneConfig{Comment: z.Comment, PrivateZone: z.PrivateZone},
		ResourceRecordSetCount: z.RecordSetCount,
	}
}

func rrsetXML(r *model.RecordSet) xmlRRSet {
	x := xmlRRSet{
		Name: model.APIName(r.Name), Type: r.Type, SetIdentifier: r.SetIdentifier, Weight: r.Weight,
		Region: r.Region, Failover: r.Failover, MultiValueAnswer: r.MultiValueAnswer, TTL: r.TTL,
		HealthCheckID: r.HealthCheckID, TrafficPolicyInstanceID: r.TrafficPolicyInstanceID,
	}
	if len(r.Values) > 0 {
		x.ResourceRecords = &xmlResourceRecords{}
		for _, v := range r.Values {
			x.ResourceRecords.Records = append(x.ResourceRecords.Records, xmlResourceRecord{Value: v})
		}
	}
	if g := r.GeoLocation; g != nil {
		x.GeoLocation = &xmlGeoLocation{g.ContinentCode, g.CountryCode, g.SubdivisionCode}
	}
	if a := r.AliasTarget; a != nil {
		x.AliasTarget = &xmlAliasTarget{a.HostedZoneID, model.APIName(a.DNSName), a.EvaluateTargetHealth}
	}
	if c := r.CidrRoutingConfig; c != nil {
		x.CidrRoutingConfig = &xmlCidrRouting{c.CollectionID, c.LocationName}
	}
	if g := r.GeoProximityLocation; g != nil {
		x.GeoProximityLocation = &xmlGeoProximity{AWSRegion: g.AWSRegion, LocalZoneGroup: g.LocalZoneGroup, Bias: g.Bias}
		if g.Coordinates != nil {
			x.GeoProximityLocation.Coordinates = &xmlCoordinates{g.Coordinates.Latitude, g.Coordinates.Longitude}
		}
	}
	return x
}

func rrsetModel(x *xmlRRSet) model.RecordSet {
	r := model.RecordSet{
		Name: x.Name, Type: x.Type, SetIdentifier: x.SetIdentifier, Weight: x.Weight, Region: x.Region,
		Failover: x.Failover, MultiValueAnswer: x.MultiValueAnswer, TTL: x.TTL,
		HealthCheckID: x.HealthCheckID, TrafficPolicyInstanceID: x.TrafficPolicyInstanceID,
	}
	if x.ResourceRecords != nil {
		for _, v := range x.ResourceRecords.Records {
			r.Values = append(r.Values, v.Value)
		}
	}
	if g := x.GeoLocation; g != nil {
		r.GeoLocation = &model.GeoLocation{ContinentCode: g.ContinentCode, CountryCode: g.CountryCode, SubdivisionCode: g.SubdivisionCode}
	}
	if a := x.AliasTarget; a != nil {
		r.AliasTarget = &model.AliasTarget{HostedZoneID: a.HostedZoneID, DNSName: a.DNSName, EvaluateTargetHealth: a.EvaluateTargetHealth}
	}
	if c := x.CidrRoutingConfig; c != nil {
		r.CidrRoutingConfig = &model.CidrRoutingConfig{CollectionID: c.CollectionID, LocationName: c.LocationName}
	}
	if g := x.GeoProximityLocation; g != nil {
		r.GeoProximityLocation = &model.GeoProximityLocation{AWSRegion: g.AWSRegion, LocalZoneGroup: g.LocalZoneGroup, Bias: g.Bias}
		if g.Coordinates != nil {
			r.GeoProximityLocation.Coordinates = &model.Coordinates{Latitude: g.Coordinates.Latitude, Longitude: g.Coordinates.Longitude}
		}
	}
	return r
}
