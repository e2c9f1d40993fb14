// Package model owns Vedette's domain types (hosted zones, record sets, change
// batches) and their validation. It imports no other internal package.
package model

import (
	"time"
)

// HostedZone is one hosted zone as stored.
type HostedZone struct {
	// ID is the bare zone id ("Z…"), without the "/hostedzone/" prefix.
	ID string `json:"id"`
	// Name is the canonical zone name: lower case, escaped, with a trailing dot.
	Name            string `json:"name"`
	CallerReference string `json:"callerReference"`
	Comment         string `json:"comment,omitempty"`
	PrivateZone     bool   `json:"privateZone,omitempty"`
	// NameServers are the delegation set's names (canonical, trailing dot).
	NameServers []string `json:"nameServers"`
	// RecordSetCount is the number of record sets in the zone, apex SOA and NS included.
	RecordSetCount int64     `json:"recordSetCount"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Action is the action of one Change.
type Action string

const (
	ActionCreate Action = "CREATE"
	ActionDelete Action = "DELETE"
	ActionUpsert Action = "UPSERT"
)

// GeoLocation is the geolocation routing field of a record set.
type GeoLocation struct {
	ContinentCode   string `json:"continentCode,omitempty"`
	CountryCode     string `json:"countryCode,omitempty"`
	SubdivisionCode string `json:"subdivisionCode,omitempty"`
}

// Coordinates are a latitude/longitude pair as Route 53 writes them (decimal strings).
type Coordinates struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
}

// GeoProximityLocation is the geoproximity routing field of a record set.
type GeoProximityLocation struct {
	AWSRegion      string       `json:"awsRegion,omitempty"`
	LocalZoneGroup string       `json:"localZoneGroup,omitempty"`
	Coordinates    *Coordinates `json:"coordinates,omitempty"`
	Bias           *int64       `json:"bias,omitempty"`
}

// AliasTarget points a record set at another record set.
type AliasTarget struct {
	HostedZoneID         string `json:"hostedZoneId"`
	DNSName              string `json:"dnsName"`
	EvaluateTargetHealth bool   `json:"evaluateTargetHealth"`
}

// CidrRoutingConfig is the IP-based routing field of a record set.
type CidrRoutingConfig struct {
	CollectionID string `json:"collectionId"`
	LocationName string `json:"locationName"`
}

// RecordSet is one resource record set, keyed within a zone by
// (Name, Type, SetIdentifier).
type RecordSet struct {
	// Name is canonical: lower case, escaped, trailing dot; a leading "*"
	// label is a wildcard.
	Name                    string                `json:"name"`
	Type                    string                `json:"type"`
	SetIdentifier           string                `json:"setIdentifier,omitempty"`
	Weight                  *int64                `json:"weight,omitempty"`
	Region                  string                `json:"region,omitempty"`
	GeoLocation             *GeoLocation          `json:"geoLocation,omitempty"`
	Failover                string                `json:"failover,omitempty"`
	MultiValueAnswer        *bool                 `json:"multiValueAnswer,omitempty"`
	TTL                     *int64                `json:"ttl,omitempty"`
	Values                  []string              `json:"values,omitempty"`
	AliasTarget             *AliasTarget          `json:"aliasTarget,omitempty"`
	HealthCheckID           string                `json:"healthCheckId,omitempty"`
	TrafficPolicyInstanceID string                `json:"trafficPolicyInstanceId,omitempty"`
	CidrRoutingConfig       *CidrRoutingConfig    `json:"cidrRoutingConfig,omitempty"`
	GeoProximityLocation    *GeoProximityLocation `json:"geoProximityLocation,omitempty"`
}

// Key identifies a record set inside its zone.
type RecordKey struct {
	Name, Type, SetIdentifier string
}

// Key returns the record set's identity within its zone.
func (r *RecordSet) Key() RecordKey {
	return RecordKey{Name: r.Name, Type: r.Type, SetIdentifier: r.SetIdentifier}
}

// Change is one entry of a change batch.
type Change struct {
	Action    Action
	RecordSet RecordSet
}

// ChangeBatch is what ChangeResourceRecordSets receives.
type ChangeBatch struct {
	Comment string
	Changes []Change
}

// ChangeStatus is PENDING or INSYNC.
type ChangeStatus string

const (
	StatusPending ChangeStatus = "PENDING"
	StatusInsync  ChangeStatus = "INSYNC"
)

// ChangeInfo records one accepted change (a change batch, a zone creation or
// deletion). It is INSYNC once DNS serves a snapshot at or after Revision.
type ChangeInfo struct {
	ID          string    `json:"id"`
	SubmittedAt time.Time `json:"submittedAt"`
	Comment     string    `json:"comment,omitempty"`
	ZoneID      string    `json:"zoneId,omitempty"`
	// Revision is the store revision that carried the change (the ModRevision
	// of its record; not serialised).
	Revision int64 `json:"-"`
}
