// Package cloudwatch owns Vedette's CloudWatch-compatible API (2010-08-01):
// the metric-alarm and metric-data operations that health checks of type
// CLOUDWATCH_METRIC build on. One set of operation handlers, written over
// plain Go request/response structs, is served in the three wire protocols
// CloudWatch clients speak:
//
//   - the AWS query protocol (form POST, XML responses; AWS CLI v2 as
//     packaged by Debian, older SDKs, Terraform), via internal/api/awsquery;
//   - AWS JSON 1.0 (POST / with X-Amz-Target GraniteServiceVersion20100801.Op;
//     AWS CLI v1 / botocore), timestamps as epoch seconds;
//   - Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/Op;
//     current aws-sdk-go-v2), timestamps as CBOR tag 1.
//
// CloudWatch is awsQueryCompatible: JSON and CBOR errors carry the modelled
// error shape in __type and the query error code in the x-amzn-query-error
// header, which SDKs report as the error code.
//
// Storage and evaluation live behind Backend (internal/monitor).
package cloudwatch
