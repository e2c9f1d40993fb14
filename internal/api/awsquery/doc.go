// Package awsquery owns the AWS "query" protocol wire format shared by
// Vedette's CloudWatch- and SNS-compatible APIs: form-encoded requests
// (Action=...&Version=...) decoded into plain Go structs by field name,
// XML responses and ErrorResponse documents encoded from Go structs, the
// ISO 8601 timestamp format, and Dispatch, which routes POST / between the
// CloudWatch, SNS and other (X-Amz-Target JSON) handlers.
//
// Field names: a struct field is known on the wire by its Go name unless an
// `aws:"Name"` tag says otherwise (`aws:"-"` skips it). Lists are
// Name.member.N (1-based), maps Name.entry.N.key / Name.entry.N.value, nested
// structs Name.Field. When encoding, empty strings, zero times and nil
// pointers, slices and maps are left out; numbers and booleans are always
// written unless the tag has the omitempty option (`aws:",omitempty"`).
package awsquery
