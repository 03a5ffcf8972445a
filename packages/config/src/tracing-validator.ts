// @ts-nocheck
/* Generated from schema/tracing.schema.json by scripts/generate-validators.mjs (ajv 8.20.0 standalone code): do not edit. */
"use strict";
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://tracepack.dev/schema/tracing.schema.json","title":"TracingConfig","description":"The `tracing:` section of a service's config file. One schema for every provider.","type":"object","additionalProperties":false,"properties":{"provider":{"description":"Where spans go. Empty or absent: tracing is off, at no cost.","type":"string","enum":["jaeger","zipkin","otlp","console",""],"default":""},"service_name":{"description":"service.name of every span; default: the name in the service's package.json.","type":"string","minLength":1},"service_version":{"description":"service.version; default: the version in the service's package.json.","type":"string"},"deployment_environment":{"description":"deployment.environment.name, e.g. production or staging.","type":"string"},"resource_attributes":{"description":"More resource attributes, e.g. k8s.pod.name or team; merged key by key over the detected ones (host, os, process, container), below service_name, service_version and deployment_environment.","type":"object","additionalProperties":{"type":"string"},"propertyNames":{"not":{"enum":["__proto__","constructor","prototype"]}},"x-merge-keys":true,"default":{}},"propagators":{"description":"Header formats written on outgoing requests; incoming requests are read in every format.","type":"array","items":{"type":"string","enum":["tracecontext","baggage","jaeger","b3","b3multi"]},"uniqueItems":true,"default":["tracecontext","baggage"]},"sampler":{"description":"A sampler for every provider, as OTEL_TRACES_SAMPLER names them.","type":"object","additionalProperties":false,"properties":{"type":{"description":"Sampler of new and continued traces; empty: the chosen provider's sampling block decides new traces and the caller's decision is followed (parent-based).","type":"string","enum":["always_on","always_off","traceidratio","parentbased_always_on","parentbased_always_off","parentbased_traceidratio","jaeger_remote","parentbased_jaeger_remote",""],"default":""},"ratio":{"description":"traceidratio samplers: ratio of traces sampled.","type":"number","minimum":0,"maximum":1,"default":1},"jaeger_remote":{"description":"jaeger_remote samplers: strategies fetched from a Jaeger sampling server (needs @tracepack/provider-jaeger).","type":"object","additionalProperties":false,"properties":{"endpoint":{"description":"Sampling strategies endpoint (HTTP), e.g. http://jaeger:5778/sampling.","type":"string","format":"http-url","default":"http://127.0.0.1:5778/sampling"},"polling_interval_ms":{"description":"How often the strategies are fetched again.","type":"integer","minimum":100,"maximum":86400000,"default":60000},"initial_sampling_rate":{"description":"Ratio of new traces sampled until the first strategy arrives.","type":"number","minimum":0,"maximum":1,"default":0.001}},"default":{}}},"default":{}},"flush_timeout_ms":{"description":"How long pending spans may be flushed on shutdown, SIGTERM or SIGINT.","type":"integer","minimum":0,"maximum":600000,"default":5000},"max_queue_size":{"description":"Spans held in memory while the backend is slow or down; beyond this they are dropped and counted.","type":"integer","minimum":1,"maximum":1000000,"default":2048},"max_export_batch_size":{"description":"Most spans sent in one export (at most max_queue_size).","type":"integer","minimum":1,"maximum":1000000,"default":256},"schedule_delay_ms":{"description":"Longest time a finished span waits before it is exported.","type":"integer","minimum":0,"maximum":600000,"default":200},"export_timeout_ms":{"description":"An export that has not finished after this long is given up (its spans count as failed).","type":"integer","minimum":1,"maximum":600000,"default":10000},"log_level":{"description":"Level of the diagnostic logger tracepack installs on diag (console); none leaves diag as the service set it.","type":"string","enum":["none","error","warn","info","debug","verbose","all"],"default":"warn"},"providers":{"description":"One block per provider; only the block of the chosen provider is used.","type":"object","additionalProperties":false,"properties":{"jaeger":{"description":"Jaeger: UDP agent or collector HTTP, remote sampling.","type":"object","additionalProperties":false,"properties":{"local_agent_address":{"description":"host:port of the agent's UDP port; 6831 takes compact Thrift, 6832 binary Thrift.","type":"string","format":"host-port","default":"127.0.0.1:6831"},"collector_endpoint":{"description":"Collector HTTP endpoint (e.g. http://jaeger:14268/api/traces); when set, used instead of the UDP agent.","type":"string","format":"http-url"},"sampling":{"description":"Jaeger sampling.","type":"object","additionalProperties":false,"properties":{"server_url":{"description":"Remote sampling strategies endpoint (e.g. http://jaeger:5778/sampling).","type":"string","format":"http-url"},"trace_id_ratio":{"description":"Ratio of new traces sampled, and the fallback while the sampling server cannot be reached.","type":"number","minimum":0,"maximum":1,"default":1},"refresh_interval_ms":{"description":"How often the sampling strategies are fetched again.","type":"integer","minimum":100,"default":60000}},"default":{}}},"default":{}},"zipkin":{"description":"Zipkin v2 JSON over HTTP.","type":"object","additionalProperties":false,"properties":{"server_url":{"description":"Zipkin spans endpoint.","type":"string","format":"http-url","default":"http://127.0.0.1:9411/api/v2/spans"},"sampling":{"description":"Zipkin sampling.","type":"object","additionalProperties":false,"properties":{"sampling_ratio":{"description":"Ratio of new traces sampled.","type":"number","minimum":0,"maximum":1,"default":1}},"default":{}}},"default":{}},"otlp":{"description":"OpenTelemetry protocol: to a collector or any OTLP backend.","type":"object","additionalProperties":false,"properties":{"server_url":{"description":"OTLP endpoint base URL (http://collector:4318; :4317 with protocol grpc). /v1/traces is appended for HTTP.","type":"string","format":"http-url","default":"http://127.0.0.1:4318"},"traces_endpoint":{"description":"Full traces URL, used as it is (nothing appended); when set, used instead of server_url.","type":"string","format":"http-url"},"protocol":{"description":"Wire protocol.","type":"string","enum":["http/protobuf","http/json","grpc"],"default":"http/protobuf"},"insecure":{"description":"grpc only: plaintext instead of TLS.","type":"boolean","default":false},"authorization_header":{"description":"Value of the Authorization header sent with every export (secret: never printed).","type":"string","x-secret":true},"headers":{"description":"Extra headers sent with every export (values are secret: never printed).","type":"object","additionalProperties":{"type":"string"},"propertyNames":{"not":{"enum":["__proto__","constructor","prototype"]}},"x-secret":true,"default":{}},"timeout_ms":{"description":"Time budget of one export, retries included; never more than flush_timeout_ms (at least 1000).","type":"integer","minimum":1,"maximum":600000,"default":10000},"compression":{"description":"Compression of export requests.","type":"string","enum":["none","gzip"],"default":"none"},"sampling":{"description":"OTLP sampling.","type":"object","additionalProperties":false,"properties":{"sampling_ratio":{"description":"Ratio of new traces sampled.","type":"number","minimum":0,"maximum":1,"default":1}},"default":{}}},"default":{}},"console":{"description":"The terminal waterfall view, built in.","type":"object","additionalProperties":false,"properties":{"color":{"description":"Colour codes: auto uses them only on a TTY.","type":"string","enum":["auto","always","never"],"default":"auto"},"width":{"description":"Columns of the waterfall; 0: the terminal's width, or 80.","type":"integer","minimum":0,"maximum":1000,"default":0},"jaeger_ui_url":{"description":"When set, each printed trace ends with its link in this Jaeger UI (e.g. http://localhost:16686).","type":"string","format":"http-url"}},"default":{}}},"default":{}},"instrumentations":{"description":"Each instrumentation is on when its library is present; turn one off or tune it here.","type":"object","additionalProperties":false,"properties":{"http":{"description":"Incoming (SERVER) and outgoing (CLIENT) HTTP spans.","type":"object","additionalProperties":false,"properties":{"enabled":{"description":"Trace HTTP.","type":"boolean","default":true},"ignore_paths":{"description":"Paths never traced (exact match, or a prefix when ending with *).","type":"array","items":{"type":"string","pattern":"^/"},"default":["/health/alive","/health/ready","/metrics"]},"routes":{"description":"Route templates for plain node:http servers, e.g. /clients/:id.","type":"array","items":{"type":"string","pattern":"^/"},"default":[]},"capture_request_headers":{"description":"Request headers recorded as attributes, named one by one (nothing by default).","type":"array","items":{"type":"string","minLength":1},"default":[]},"capture_user_agent":{"description":"Record user_agent.original.","type":"boolean","default":true},"outgoing":{"description":"CLIENT spans for node:http/https and fetch, with context carried downstream.","type":"boolean","default":true}},"default":{}},"bcrypt":{"description":"bcrypt and bcryptjs spans with the work factor.","type":"object","additionalProperties":false,"properties":{"enabled":{"description":"Trace bcrypt.","type":"boolean","default":true},"require_parent_span":{"description":"Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.","type":"boolean","default":true}},"default":{}},"sql":{"description":"pg and mysql2 statement spans; literals and bound values never recorded.","type":"object","additionalProperties":false,"properties":{"enabled":{"description":"Trace SQL.","type":"boolean","default":true},"connection_spans":{"description":"Also make connect and pool spans.","type":"boolean","default":false},"require_parent_span":{"description":"Only make spans under an active parent span (a request, a job's own span): start-up seeding, pool health checks and migrations make no orphan traces. Wrap a job's work in a span to trace it.","type":"boolean","default":true}},"default":{}},"pino":{"description":"Log correlation for pino: the active span's ids in each record the app writes. Records are never sent anywhere.","type":"object","additionalProperties":false,"properties":{"enabled":{"description":"Add trace_id, span_id and trace_flags to pino records written inside a span.","type":"boolean","default":true},"log_keys":{"description":"Names of the fields added to each record.","type":"object","additionalProperties":false,"properties":{"trace_id":{"description":"Field for the trace id (32 hex digits).","type":"string","minLength":1,"default":"trace_id"},"span_id":{"description":"Field for the span id (16 hex digits).","type":"string","minLength":1,"default":"span_id"},"trace_flags":{"description":"Field for the trace flags (01: sampled, 00: not).","type":"string","minLength":1,"default":"trace_flags"}},"default":{}}},"default":{}},"winston":{"description":"Log correlation for winston 3: the active span's ids in each record the app writes. Records are never sent anywhere.","type":"object","additionalProperties":false,"properties":{"enabled":{"description":"Add trace_id, span_id and trace_flags (fixed names) to winston records written inside a span.","type":"boolean","default":true}},"default":{}}},"default":{}}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("./formats").ucs2length;
const formats0 = require("./formats").FORMATS["http-url"];
const formats2 = require("./formats").FORMATS["host-port"];
const pattern0 = new RegExp("^/", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://tracepack.dev/schema/tracing.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.provider === undefined){
data.provider = "";
}
if(data.resource_attributes === undefined){
data.resource_attributes = {};
}
if(data.propagators === undefined){
data.propagators = ["tracecontext","baggage"];
}
if(data.sampler === undefined){
data.sampler = {};
}
if(data.flush_timeout_ms === undefined){
data.flush_timeout_ms = 5000;
}
if(data.max_queue_size === undefined){
data.max_queue_size = 2048;
}
if(data.max_export_batch_size === undefined){
data.max_export_batch_size = 256;
}
if(data.schedule_delay_ms === undefined){
data.schedule_delay_ms = 200;
}
if(data.export_timeout_ms === undefined){
data.export_timeout_ms = 10000;
}
if(data.log_level === undefined){
data.log_level = "warn";
}
if(data.providers === undefined){
data.providers = {};
}
if(data.instrumentations === undefined){
data.instrumentations = {};
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
let data0 = data.provider;
if(typeof data0 !== "string"){
const err1 = {instancePath:instancePath+"/provider",schemaPath:"#/properties/provider/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(!(((((data0 === "jaeger") || (data0 === "zipkin")) || (data0 === "otlp")) || (data0 === "console")) || (data0 === ""))){
const err2 = {instancePath:instancePath+"/provider",schemaPath:"#/properties/provider/enum",keyword:"enum",params:{allowedValues: schema11.properties.provider.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.service_name !== undefined){
let data1 = data.service_name;
if(typeof data1 === "string"){
if(func3(data1) < 1){
const err3 = {instancePath:instancePath+"/service_name",schemaPath:"#/properties/service_name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/service_name",schemaPath:"#/properties/service_name/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.service_version !== undefined){
if(typeof data.service_version !== "string"){
const err5 = {instancePath:instancePath+"/service_version",schemaPath:"#/properties/service_version/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.deployment_environment !== undefined){
if(typeof data.deployment_environment !== "string"){
const err6 = {instancePath:instancePath+"/deployment_environment",schemaPath:"#/properties/deployment_environment/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
let data4 = data.resource_attributes;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key1 in data4){
const _errs13 = errors;
const _errs14 = errors;
const _errs15 = errors;
if(!(((key1 === "__proto__") || (key1 === "constructor")) || (key1 === "prototype"))){
const err7 = {};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
var valid2 = _errs15 === errors;
if(valid2){
const err8 = {instancePath:instancePath+"/resource_attributes",schemaPath:"#/properties/resource_attributes/propertyNames/not",keyword:"not",params:{},message:"must NOT be valid",propertyName:key1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
else {
errors = _errs14;
if(vErrors !== null){
if(_errs14){
vErrors.length = _errs14;
}
else {
vErrors = null;
}
}
}
var valid1 = _errs13 === errors;
if(!valid1){
const err9 = {instancePath:instancePath+"/resource_attributes",schemaPath:"#/properties/resource_attributes/propertyNames",keyword:"propertyNames",params:{propertyName: key1},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
for(const key2 in data4){
if(typeof data4[key2] !== "string"){
const err10 = {instancePath:instancePath+"/resource_attributes/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/resource_attributes/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
else {
const err11 = {instancePath:instancePath+"/resource_attributes",schemaPath:"#/properties/resource_attributes/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
let data6 = data.propagators;
if(Array.isArray(data6)){
const len0 = data6.length;
for(let i0=0; i0<len0; i0++){
let data7 = data6[i0];
if(typeof data7 !== "string"){
const err12 = {instancePath:instancePath+"/propagators/" + i0,schemaPath:"#/properties/propagators/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(!(((((data7 === "tracecontext") || (data7 === "baggage")) || (data7 === "jaeger")) || (data7 === "b3")) || (data7 === "b3multi"))){
const err13 = {instancePath:instancePath+"/propagators/" + i0,schemaPath:"#/properties/propagators/items/enum",keyword:"enum",params:{allowedValues: schema11.properties.propagators.items.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
let i1 = data6.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data6[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err14 = {instancePath:instancePath+"/propagators",schemaPath:"#/properties/propagators/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err15 = {instancePath:instancePath+"/propagators",schemaPath:"#/properties/propagators/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
let data8 = data.sampler;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.type === undefined){
data8.type = "";
}
if(data8.ratio === undefined){
data8.ratio = 1;
}
if(data8.jaeger_remote === undefined){
data8.jaeger_remote = {};
}
for(const key3 in data8){
if(!(((key3 === "type") || (key3 === "ratio")) || (key3 === "jaeger_remote"))){
const err16 = {instancePath:instancePath+"/sampler",schemaPath:"#/properties/sampler/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
let data9 = data8.type;
if(typeof data9 !== "string"){
const err17 = {instancePath:instancePath+"/sampler/type",schemaPath:"#/properties/sampler/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(!(((((((((data9 === "always_on") || (data9 === "always_off")) || (data9 === "traceidratio")) || (data9 === "parentbased_always_on")) || (data9 === "parentbased_always_off")) || (data9 === "parentbased_traceidratio")) || (data9 === "jaeger_remote")) || (data9 === "parentbased_jaeger_remote")) || (data9 === ""))){
const err18 = {instancePath:instancePath+"/sampler/type",schemaPath:"#/properties/sampler/properties/type/enum",keyword:"enum",params:{allowedValues: schema11.properties.sampler.properties.type.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
let data10 = data8.ratio;
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 > 1 || isNaN(data10)){
const err19 = {instancePath:instancePath+"/sampler/ratio",schemaPath:"#/properties/sampler/properties/ratio/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(data10 < 0 || isNaN(data10)){
const err20 = {instancePath:instancePath+"/sampler/ratio",schemaPath:"#/properties/sampler/properties/ratio/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/sampler/ratio",schemaPath:"#/properties/sampler/properties/ratio/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
let data11 = data8.jaeger_remote;
if(data11 && typeof data11 == "object" && !Array.isArray(data11)){
if(data11.endpoint === undefined){
data11.endpoint = "http://127.0.0.1:5778/sampling";
}
if(data11.polling_interval_ms === undefined){
data11.polling_interval_ms = 60000;
}
if(data11.initial_sampling_rate === undefined){
data11.initial_sampling_rate = 0.001;
}
for(const key4 in data11){
if(!(((key4 === "endpoint") || (key4 === "polling_interval_ms")) || (key4 === "initial_sampling_rate"))){
const err22 = {instancePath:instancePath+"/sampler/jaeger_remote",schemaPath:"#/properties/sampler/properties/jaeger_remote/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
let data12 = data11.endpoint;
if(typeof data12 === "string"){
if(!(formats0.validate(data12))){
const err23 = {instancePath:instancePath+"/sampler/jaeger_remote/endpoint",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/endpoint/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
else {
const err24 = {instancePath:instancePath+"/sampler/jaeger_remote/endpoint",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/endpoint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
let data13 = data11.polling_interval_ms;
if(!(((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13))) && (isFinite(data13)))){
const err25 = {instancePath:instancePath+"/sampler/jaeger_remote/polling_interval_ms",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/polling_interval_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if((typeof data13 == "number") && (isFinite(data13))){
if(data13 > 86400000 || isNaN(data13)){
const err26 = {instancePath:instancePath+"/sampler/jaeger_remote/polling_interval_ms",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/polling_interval_ms/maximum",keyword:"maximum",params:{comparison: "<=", limit: 86400000},message:"must be <= 86400000"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(data13 < 100 || isNaN(data13)){
const err27 = {instancePath:instancePath+"/sampler/jaeger_remote/polling_interval_ms",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/polling_interval_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
let data14 = data11.initial_sampling_rate;
if((typeof data14 == "number") && (isFinite(data14))){
if(data14 > 1 || isNaN(data14)){
const err28 = {instancePath:instancePath+"/sampler/jaeger_remote/initial_sampling_rate",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/initial_sampling_rate/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
if(data14 < 0 || isNaN(data14)){
const err29 = {instancePath:instancePath+"/sampler/jaeger_remote/initial_sampling_rate",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/initial_sampling_rate/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/sampler/jaeger_remote/initial_sampling_rate",schemaPath:"#/properties/sampler/properties/jaeger_remote/properties/initial_sampling_rate/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
else {
const err31 = {instancePath:instancePath+"/sampler/jaeger_remote",schemaPath:"#/properties/sampler/properties/jaeger_remote/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
else {
const err32 = {instancePath:instancePath+"/sampler",schemaPath:"#/properties/sampler/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
let data15 = data.flush_timeout_ms;
if(!(((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15))) && (isFinite(data15)))){
const err33 = {instancePath:instancePath+"/flush_timeout_ms",schemaPath:"#/properties/flush_timeout_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
if((typeof data15 == "number") && (isFinite(data15))){
if(data15 > 600000 || isNaN(data15)){
const err34 = {instancePath:instancePath+"/flush_timeout_ms",schemaPath:"#/properties/flush_timeout_ms/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
if(data15 < 0 || isNaN(data15)){
const err35 = {instancePath:instancePath+"/flush_timeout_ms",schemaPath:"#/properties/flush_timeout_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
let data16 = data.max_queue_size;
if(!(((typeof data16 == "number") && (!(data16 % 1) && !isNaN(data16))) && (isFinite(data16)))){
const err36 = {instancePath:instancePath+"/max_queue_size",schemaPath:"#/properties/max_queue_size/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
if((typeof data16 == "number") && (isFinite(data16))){
if(data16 > 1000000 || isNaN(data16)){
const err37 = {instancePath:instancePath+"/max_queue_size",schemaPath:"#/properties/max_queue_size/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(data16 < 1 || isNaN(data16)){
const err38 = {instancePath:instancePath+"/max_queue_size",schemaPath:"#/properties/max_queue_size/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
let data17 = data.max_export_batch_size;
if(!(((typeof data17 == "number") && (!(data17 % 1) && !isNaN(data17))) && (isFinite(data17)))){
const err39 = {instancePath:instancePath+"/max_export_batch_size",schemaPath:"#/properties/max_export_batch_size/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if((typeof data17 == "number") && (isFinite(data17))){
if(data17 > 1000000 || isNaN(data17)){
const err40 = {instancePath:instancePath+"/max_export_batch_size",schemaPath:"#/properties/max_export_batch_size/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if(data17 < 1 || isNaN(data17)){
const err41 = {instancePath:instancePath+"/max_export_batch_size",schemaPath:"#/properties/max_export_batch_size/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
let data18 = data.schedule_delay_ms;
if(!(((typeof data18 == "number") && (!(data18 % 1) && !isNaN(data18))) && (isFinite(data18)))){
const err42 = {instancePath:instancePath+"/schedule_delay_ms",schemaPath:"#/properties/schedule_delay_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
if((typeof data18 == "number") && (isFinite(data18))){
if(data18 > 600000 || isNaN(data18)){
const err43 = {instancePath:instancePath+"/schedule_delay_ms",schemaPath:"#/properties/schedule_delay_ms/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
if(data18 < 0 || isNaN(data18)){
const err44 = {instancePath:instancePath+"/schedule_delay_ms",schemaPath:"#/properties/schedule_delay_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
let data19 = data.export_timeout_ms;
if(!(((typeof data19 == "number") && (!(data19 % 1) && !isNaN(data19))) && (isFinite(data19)))){
const err45 = {instancePath:instancePath+"/export_timeout_ms",schemaPath:"#/properties/export_timeout_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
if((typeof data19 == "number") && (isFinite(data19))){
if(data19 > 600000 || isNaN(data19)){
const err46 = {instancePath:instancePath+"/export_timeout_ms",schemaPath:"#/properties/export_timeout_ms/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
if(data19 < 1 || isNaN(data19)){
const err47 = {instancePath:instancePath+"/export_timeout_ms",schemaPath:"#/properties/export_timeout_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
let data20 = data.log_level;
if(typeof data20 !== "string"){
const err48 = {instancePath:instancePath+"/log_level",schemaPath:"#/properties/log_level/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
if(!(((((((data20 === "none") || (data20 === "error")) || (data20 === "warn")) || (data20 === "info")) || (data20 === "debug")) || (data20 === "verbose")) || (data20 === "all"))){
const err49 = {instancePath:instancePath+"/log_level",schemaPath:"#/properties/log_level/enum",keyword:"enum",params:{allowedValues: schema11.properties.log_level.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
let data21 = data.providers;
if(data21 && typeof data21 == "object" && !Array.isArray(data21)){
if(data21.jaeger === undefined){
data21.jaeger = {};
}
if(data21.zipkin === undefined){
data21.zipkin = {};
}
if(data21.otlp === undefined){
data21.otlp = {};
}
if(data21.console === undefined){
data21.console = {};
}
for(const key5 in data21){
if(!((((key5 === "jaeger") || (key5 === "zipkin")) || (key5 === "otlp")) || (key5 === "console"))){
const err50 = {instancePath:instancePath+"/providers",schemaPath:"#/properties/providers/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
let data22 = data21.jaeger;
if(data22 && typeof data22 == "object" && !Array.isArray(data22)){
if(data22.local_agent_address === undefined){
data22.local_agent_address = "127.0.0.1:6831";
}
if(data22.sampling === undefined){
data22.sampling = {};
}
for(const key6 in data22){
if(!(((key6 === "local_agent_address") || (key6 === "collector_endpoint")) || (key6 === "sampling"))){
const err51 = {instancePath:instancePath+"/providers/jaeger",schemaPath:"#/properties/providers/properties/jaeger/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
let data23 = data22.local_agent_address;
if(typeof data23 === "string"){
if(!(formats2.validate(data23))){
const err52 = {instancePath:instancePath+"/providers/jaeger/local_agent_address",schemaPath:"#/properties/providers/properties/jaeger/properties/local_agent_address/format",keyword:"format",params:{format: "host-port"},message:"must match format \""+"host-port"+"\""};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
else {
const err53 = {instancePath:instancePath+"/providers/jaeger/local_agent_address",schemaPath:"#/properties/providers/properties/jaeger/properties/local_agent_address/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
if(data22.collector_endpoint !== undefined){
let data24 = data22.collector_endpoint;
if(typeof data24 === "string"){
if(!(formats0.validate(data24))){
const err54 = {instancePath:instancePath+"/providers/jaeger/collector_endpoint",schemaPath:"#/properties/providers/properties/jaeger/properties/collector_endpoint/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
else {
const err55 = {instancePath:instancePath+"/providers/jaeger/collector_endpoint",schemaPath:"#/properties/providers/properties/jaeger/properties/collector_endpoint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
let data25 = data22.sampling;
if(data25 && typeof data25 == "object" && !Array.isArray(data25)){
if(data25.trace_id_ratio === undefined){
data25.trace_id_ratio = 1;
}
if(data25.refresh_interval_ms === undefined){
data25.refresh_interval_ms = 60000;
}
for(const key7 in data25){
if(!(((key7 === "server_url") || (key7 === "trace_id_ratio")) || (key7 === "refresh_interval_ms"))){
const err56 = {instancePath:instancePath+"/providers/jaeger/sampling",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(data25.server_url !== undefined){
let data26 = data25.server_url;
if(typeof data26 === "string"){
if(!(formats0.validate(data26))){
const err57 = {instancePath:instancePath+"/providers/jaeger/sampling/server_url",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/server_url/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
else {
const err58 = {instancePath:instancePath+"/providers/jaeger/sampling/server_url",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/server_url/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
let data27 = data25.trace_id_ratio;
if((typeof data27 == "number") && (isFinite(data27))){
if(data27 > 1 || isNaN(data27)){
const err59 = {instancePath:instancePath+"/providers/jaeger/sampling/trace_id_ratio",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/trace_id_ratio/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1"};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
if(data27 < 0 || isNaN(data27)){
const err60 = {instancePath:instancePath+"/providers/jaeger/sampling/trace_id_ratio",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/trace_id_ratio/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
}
else {
const err61 = {instancePath:instancePath+"/providers/jaeger/sampling/trace_id_ratio",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/trace_id_ratio/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
let data28 = data25.refresh_interval_ms;
if(!(((typeof data28 == "number") && (!(data28 % 1) && !isNaN(data28))) && (isFinite(data28)))){
const err62 = {instancePath:instancePath+"/providers/jaeger/sampling/refresh_interval_ms",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/refresh_interval_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
if((typeof data28 == "number") && (isFinite(data28))){
if(data28 < 100 || isNaN(data28)){
const err63 = {instancePath:instancePath+"/providers/jaeger/sampling/refresh_interval_ms",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/properties/refresh_interval_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100"};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
}
}
else {
const err64 = {instancePath:instancePath+"/providers/jaeger/sampling",schemaPath:"#/properties/providers/properties/jaeger/properties/sampling/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
else {
const err65 = {instancePath:instancePath+"/providers/jaeger",schemaPath:"#/properties/providers/properties/jaeger/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
let data29 = data21.zipkin;
if(data29 && typeof data29 == "object" && !Array.isArray(data29)){
if(data29.server_url === undefined){
data29.server_url = "http://127.0.0.1:9411/api/v2/spans";
}
if(data29.sampling === undefined){
data29.sampling = {};
}
for(const key8 in data29){
if(!((key8 === "server_url") || (key8 === "sampling"))){
const err66 = {instancePath:instancePath+"/providers/zipkin",schemaPath:"#/properties/providers/properties/zipkin/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key8},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
let data30 = data29.server_url;
if(typeof data30 === "string"){
if(!(formats0.validate(data30))){
const err67 = {instancePath:instancePath+"/providers/zipkin/server_url",schemaPath:"#/properties/providers/properties/zipkin/properties/server_url/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
else {
const err68 = {instancePath:instancePath+"/providers/zipkin/server_url",schemaPath:"#/properties/providers/properties/zipkin/properties/server_url/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
let data31 = data29.sampling;
if(data31 && typeof data31 == "object" && !Array.isArray(data31)){
if(data31.sampling_ratio === undefined){
data31.sampling_ratio = 1;
}
for(const key9 in data31){
if(!(key9 === "sampling_ratio")){
const err69 = {instancePath:instancePath+"/providers/zipkin/sampling",schemaPath:"#/properties/providers/properties/zipkin/properties/sampling/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key9},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
let data32 = data31.sampling_ratio;
if((typeof data32 == "number") && (isFinite(data32))){
if(data32 > 1 || isNaN(data32)){
const err70 = {instancePath:instancePath+"/providers/zipkin/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/zipkin/properties/sampling/properties/sampling_ratio/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1"};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
if(data32 < 0 || isNaN(data32)){
const err71 = {instancePath:instancePath+"/providers/zipkin/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/zipkin/properties/sampling/properties/sampling_ratio/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
}
else {
const err72 = {instancePath:instancePath+"/providers/zipkin/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/zipkin/properties/sampling/properties/sampling_ratio/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
}
else {
const err73 = {instancePath:instancePath+"/providers/zipkin/sampling",schemaPath:"#/properties/providers/properties/zipkin/properties/sampling/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
else {
const err74 = {instancePath:instancePath+"/providers/zipkin",schemaPath:"#/properties/providers/properties/zipkin/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
let data33 = data21.otlp;
if(data33 && typeof data33 == "object" && !Array.isArray(data33)){
if(data33.server_url === undefined){
data33.server_url = "http://127.0.0.1:4318";
}
if(data33.protocol === undefined){
data33.protocol = "http/protobuf";
}
if(data33.insecure === undefined){
data33.insecure = false;
}
if(data33.headers === undefined){
data33.headers = {};
}
if(data33.timeout_ms === undefined){
data33.timeout_ms = 10000;
}
if(data33.compression === undefined){
data33.compression = "none";
}
if(data33.sampling === undefined){
data33.sampling = {};
}
for(const key10 in data33){
if(!(func2.call(schema11.properties.providers.properties.otlp.properties, key10))){
const err75 = {instancePath:instancePath+"/providers/otlp",schemaPath:"#/properties/providers/properties/otlp/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key10},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
}
let data34 = data33.server_url;
if(typeof data34 === "string"){
if(!(formats0.validate(data34))){
const err76 = {instancePath:instancePath+"/providers/otlp/server_url",schemaPath:"#/properties/providers/properties/otlp/properties/server_url/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
else {
const err77 = {instancePath:instancePath+"/providers/otlp/server_url",schemaPath:"#/properties/providers/properties/otlp/properties/server_url/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
if(data33.traces_endpoint !== undefined){
let data35 = data33.traces_endpoint;
if(typeof data35 === "string"){
if(!(formats0.validate(data35))){
const err78 = {instancePath:instancePath+"/providers/otlp/traces_endpoint",schemaPath:"#/properties/providers/properties/otlp/properties/traces_endpoint/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
}
else {
const err79 = {instancePath:instancePath+"/providers/otlp/traces_endpoint",schemaPath:"#/properties/providers/properties/otlp/properties/traces_endpoint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
let data36 = data33.protocol;
if(typeof data36 !== "string"){
const err80 = {instancePath:instancePath+"/providers/otlp/protocol",schemaPath:"#/properties/providers/properties/otlp/properties/protocol/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
if(!(((data36 === "http/protobuf") || (data36 === "http/json")) || (data36 === "grpc"))){
const err81 = {instancePath:instancePath+"/providers/otlp/protocol",schemaPath:"#/properties/providers/properties/otlp/properties/protocol/enum",keyword:"enum",params:{allowedValues: schema11.properties.providers.properties.otlp.properties.protocol.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
if(typeof data33.insecure !== "boolean"){
const err82 = {instancePath:instancePath+"/providers/otlp/insecure",schemaPath:"#/properties/providers/properties/otlp/properties/insecure/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
if(data33.authorization_header !== undefined){
if(typeof data33.authorization_header !== "string"){
const err83 = {instancePath:instancePath+"/providers/otlp/authorization_header",schemaPath:"#/properties/providers/properties/otlp/properties/authorization_header/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
let data39 = data33.headers;
if(data39 && typeof data39 == "object" && !Array.isArray(data39)){
for(const key11 in data39){
const _errs97 = errors;
const _errs98 = errors;
const _errs99 = errors;
if(!(((key11 === "__proto__") || (key11 === "constructor")) || (key11 === "prototype"))){
const err84 = {};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
var valid16 = _errs99 === errors;
if(valid16){
const err85 = {instancePath:instancePath+"/providers/otlp/headers",schemaPath:"#/properties/providers/properties/otlp/properties/headers/propertyNames/not",keyword:"not",params:{},message:"must NOT be valid",propertyName:key11};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
else {
errors = _errs98;
if(vErrors !== null){
if(_errs98){
vErrors.length = _errs98;
}
else {
vErrors = null;
}
}
}
var valid15 = _errs97 === errors;
if(!valid15){
const err86 = {instancePath:instancePath+"/providers/otlp/headers",schemaPath:"#/properties/providers/properties/otlp/properties/headers/propertyNames",keyword:"propertyNames",params:{propertyName: key11},message:"property name must be valid"};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
}
for(const key12 in data39){
if(typeof data39[key12] !== "string"){
const err87 = {instancePath:instancePath+"/providers/otlp/headers/" + key12.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/providers/properties/otlp/properties/headers/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
}
}
else {
const err88 = {instancePath:instancePath+"/providers/otlp/headers",schemaPath:"#/properties/providers/properties/otlp/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
let data41 = data33.timeout_ms;
if(!(((typeof data41 == "number") && (!(data41 % 1) && !isNaN(data41))) && (isFinite(data41)))){
const err89 = {instancePath:instancePath+"/providers/otlp/timeout_ms",schemaPath:"#/properties/providers/properties/otlp/properties/timeout_ms/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
if((typeof data41 == "number") && (isFinite(data41))){
if(data41 > 600000 || isNaN(data41)){
const err90 = {instancePath:instancePath+"/providers/otlp/timeout_ms",schemaPath:"#/properties/providers/properties/otlp/properties/timeout_ms/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600000},message:"must be <= 600000"};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
if(data41 < 1 || isNaN(data41)){
const err91 = {instancePath:instancePath+"/providers/otlp/timeout_ms",schemaPath:"#/properties/providers/properties/otlp/properties/timeout_ms/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
}
let data42 = data33.compression;
if(typeof data42 !== "string"){
const err92 = {instancePath:instancePath+"/providers/otlp/compression",schemaPath:"#/properties/providers/properties/otlp/properties/compression/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
if(!((data42 === "none") || (data42 === "gzip"))){
const err93 = {instancePath:instancePath+"/providers/otlp/compression",schemaPath:"#/properties/providers/properties/otlp/properties/compression/enum",keyword:"enum",params:{allowedValues: schema11.properties.providers.properties.otlp.properties.compression.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
let data43 = data33.sampling;
if(data43 && typeof data43 == "object" && !Array.isArray(data43)){
if(data43.sampling_ratio === undefined){
data43.sampling_ratio = 1;
}
for(const key13 in data43){
if(!(key13 === "sampling_ratio")){
const err94 = {instancePath:instancePath+"/providers/otlp/sampling",schemaPath:"#/properties/providers/properties/otlp/properties/sampling/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
}
let data44 = data43.sampling_ratio;
if((typeof data44 == "number") && (isFinite(data44))){
if(data44 > 1 || isNaN(data44)){
const err95 = {instancePath:instancePath+"/providers/otlp/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/otlp/properties/sampling/properties/sampling_ratio/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1"};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
if(data44 < 0 || isNaN(data44)){
const err96 = {instancePath:instancePath+"/providers/otlp/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/otlp/properties/sampling/properties/sampling_ratio/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
}
else {
const err97 = {instancePath:instancePath+"/providers/otlp/sampling/sampling_ratio",schemaPath:"#/properties/providers/properties/otlp/properties/sampling/properties/sampling_ratio/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
}
else {
const err98 = {instancePath:instancePath+"/providers/otlp/sampling",schemaPath:"#/properties/providers/properties/otlp/properties/sampling/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
}
else {
const err99 = {instancePath:instancePath+"/providers/otlp",schemaPath:"#/properties/providers/properties/otlp/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
let data45 = data21.console;
if(data45 && typeof data45 == "object" && !Array.isArray(data45)){
if(data45.color === undefined){
data45.color = "auto";
}
if(data45.width === undefined){
data45.width = 0;
}
for(const key14 in data45){
if(!(((key14 === "color") || (key14 === "width")) || (key14 === "jaeger_ui_url"))){
const err100 = {instancePath:instancePath+"/providers/console",schemaPath:"#/properties/providers/properties/console/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key14},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
}
let data46 = data45.color;
if(typeof data46 !== "string"){
const err101 = {instancePath:instancePath+"/providers/console/color",schemaPath:"#/properties/providers/properties/console/properties/color/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
if(!(((data46 === "auto") || (data46 === "always")) || (data46 === "never"))){
const err102 = {instancePath:instancePath+"/providers/console/color",schemaPath:"#/properties/providers/properties/console/properties/color/enum",keyword:"enum",params:{allowedValues: schema11.properties.providers.properties.console.properties.color.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
let data47 = data45.width;
if(!(((typeof data47 == "number") && (!(data47 % 1) && !isNaN(data47))) && (isFinite(data47)))){
const err103 = {instancePath:instancePath+"/providers/console/width",schemaPath:"#/properties/providers/properties/console/properties/width/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
if((typeof data47 == "number") && (isFinite(data47))){
if(data47 > 1000 || isNaN(data47)){
const err104 = {instancePath:instancePath+"/providers/console/width",schemaPath:"#/properties/providers/properties/console/properties/width/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000"};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
if(data47 < 0 || isNaN(data47)){
const err105 = {instancePath:instancePath+"/providers/console/width",schemaPath:"#/properties/providers/properties/console/properties/width/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
if(data45.jaeger_ui_url !== undefined){
let data48 = data45.jaeger_ui_url;
if(typeof data48 === "string"){
if(!(formats0.validate(data48))){
const err106 = {instancePath:instancePath+"/providers/console/jaeger_ui_url",schemaPath:"#/properties/providers/properties/console/properties/jaeger_ui_url/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
}
else {
const err107 = {instancePath:instancePath+"/providers/console/jaeger_ui_url",schemaPath:"#/properties/providers/properties/console/properties/jaeger_ui_url/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
}
}
else {
const err108 = {instancePath:instancePath+"/providers/console",schemaPath:"#/properties/providers/properties/console/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
}
else {
const err109 = {instancePath:instancePath+"/providers",schemaPath:"#/properties/providers/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
let data49 = data.instrumentations;
if(data49 && typeof data49 == "object" && !Array.isArray(data49)){
if(data49.http === undefined){
data49.http = {};
}
if(data49.bcrypt === undefined){
data49.bcrypt = {};
}
if(data49.sql === undefined){
data49.sql = {};
}
if(data49.pino === undefined){
data49.pino = {};
}
if(data49.winston === undefined){
data49.winston = {};
}
for(const key15 in data49){
if(!(((((key15 === "http") || (key15 === "bcrypt")) || (key15 === "sql")) || (key15 === "pino")) || (key15 === "winston"))){
const err110 = {instancePath:instancePath+"/instrumentations",schemaPath:"#/properties/instrumentations/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key15},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
}
let data50 = data49.http;
if(data50 && typeof data50 == "object" && !Array.isArray(data50)){
if(data50.enabled === undefined){
data50.enabled = true;
}
if(data50.ignore_paths === undefined){
data50.ignore_paths = ["/health/alive","/health/ready","/metrics"];
}
if(data50.routes === undefined){
data50.routes = [];
}
if(data50.capture_request_headers === undefined){
data50.capture_request_headers = [];
}
if(data50.capture_user_agent === undefined){
data50.capture_user_agent = true;
}
if(data50.outgoing === undefined){
data50.outgoing = true;
}
for(const key16 in data50){
if(!((((((key16 === "enabled") || (key16 === "ignore_paths")) || (key16 === "routes")) || (key16 === "capture_request_headers")) || (key16 === "capture_user_agent")) || (key16 === "outgoing"))){
const err111 = {instancePath:instancePath+"/instrumentations/http",schemaPath:"#/properties/instrumentations/properties/http/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key16},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
}
if(typeof data50.enabled !== "boolean"){
const err112 = {instancePath:instancePath+"/instrumentations/http/enabled",schemaPath:"#/properties/instrumentations/properties/http/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
let data52 = data50.ignore_paths;
if(Array.isArray(data52)){
const len1 = data52.length;
for(let i2=0; i2<len1; i2++){
let data53 = data52[i2];
if(typeof data53 === "string"){
if(!pattern0.test(data53)){
const err113 = {instancePath:instancePath+"/instrumentations/http/ignore_paths/" + i2,schemaPath:"#/properties/instrumentations/properties/http/properties/ignore_paths/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\""};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
}
else {
const err114 = {instancePath:instancePath+"/instrumentations/http/ignore_paths/" + i2,schemaPath:"#/properties/instrumentations/properties/http/properties/ignore_paths/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
}
}
else {
const err115 = {instancePath:instancePath+"/instrumentations/http/ignore_paths",schemaPath:"#/properties/instrumentations/properties/http/properties/ignore_paths/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
let data54 = data50.routes;
if(Array.isArray(data54)){
const len2 = data54.length;
for(let i3=0; i3<len2; i3++){
let data55 = data54[i3];
if(typeof data55 === "string"){
if(!pattern0.test(data55)){
const err116 = {instancePath:instancePath+"/instrumentations/http/routes/" + i3,schemaPath:"#/properties/instrumentations/properties/http/properties/routes/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\""};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
}
else {
const err117 = {instancePath:instancePath+"/instrumentations/http/routes/" + i3,schemaPath:"#/properties/instrumentations/properties/http/properties/routes/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
}
}
else {
const err118 = {instancePath:instancePath+"/instrumentations/http/routes",schemaPath:"#/properties/instrumentations/properties/http/properties/routes/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
let data56 = data50.capture_request_headers;
if(Array.isArray(data56)){
const len3 = data56.length;
for(let i4=0; i4<len3; i4++){
let data57 = data56[i4];
if(typeof data57 === "string"){
if(func3(data57) < 1){
const err119 = {instancePath:instancePath+"/instrumentations/http/capture_request_headers/" + i4,schemaPath:"#/properties/instrumentations/properties/http/properties/capture_request_headers/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
}
else {
const err120 = {instancePath:instancePath+"/instrumentations/http/capture_request_headers/" + i4,schemaPath:"#/properties/instrumentations/properties/http/properties/capture_request_headers/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
}
}
else {
const err121 = {instancePath:instancePath+"/instrumentations/http/capture_request_headers",schemaPath:"#/properties/instrumentations/properties/http/properties/capture_request_headers/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
if(typeof data50.capture_user_agent !== "boolean"){
const err122 = {instancePath:instancePath+"/instrumentations/http/capture_user_agent",schemaPath:"#/properties/instrumentations/properties/http/properties/capture_user_agent/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
if(typeof data50.outgoing !== "boolean"){
const err123 = {instancePath:instancePath+"/instrumentations/http/outgoing",schemaPath:"#/properties/instrumentations/properties/http/properties/outgoing/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
}
else {
const err124 = {instancePath:instancePath+"/instrumentations/http",schemaPath:"#/properties/instrumentations/properties/http/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
let data60 = data49.bcrypt;
if(data60 && typeof data60 == "object" && !Array.isArray(data60)){
if(data60.enabled === undefined){
data60.enabled = true;
}
if(data60.require_parent_span === undefined){
data60.require_parent_span = true;
}
for(const key17 in data60){
if(!((key17 === "enabled") || (key17 === "require_parent_span"))){
const err125 = {instancePath:instancePath+"/instrumentations/bcrypt",schemaPath:"#/properties/instrumentations/properties/bcrypt/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key17},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
}
if(typeof data60.enabled !== "boolean"){
const err126 = {instancePath:instancePath+"/instrumentations/bcrypt/enabled",schemaPath:"#/properties/instrumentations/properties/bcrypt/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
if(typeof data60.require_parent_span !== "boolean"){
const err127 = {instancePath:instancePath+"/instrumentations/bcrypt/require_parent_span",schemaPath:"#/properties/instrumentations/properties/bcrypt/properties/require_parent_span/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
}
else {
const err128 = {instancePath:instancePath+"/instrumentations/bcrypt",schemaPath:"#/properties/instrumentations/properties/bcrypt/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
let data63 = data49.sql;
if(data63 && typeof data63 == "object" && !Array.isArray(data63)){
if(data63.enabled === undefined){
data63.enabled = true;
}
if(data63.connection_spans === undefined){
data63.connection_spans = false;
}
if(data63.require_parent_span === undefined){
data63.require_parent_span = true;
}
for(const key18 in data63){
if(!(((key18 === "enabled") || (key18 === "connection_spans")) || (key18 === "require_parent_span"))){
const err129 = {instancePath:instancePath+"/instrumentations/sql",schemaPath:"#/properties/instrumentations/properties/sql/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key18},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
}
if(typeof data63.enabled !== "boolean"){
const err130 = {instancePath:instancePath+"/instrumentations/sql/enabled",schemaPath:"#/properties/instrumentations/properties/sql/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
if(typeof data63.connection_spans !== "boolean"){
const err131 = {instancePath:instancePath+"/instrumentations/sql/connection_spans",schemaPath:"#/properties/instrumentations/properties/sql/properties/connection_spans/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
if(typeof data63.require_parent_span !== "boolean"){
const err132 = {instancePath:instancePath+"/instrumentations/sql/require_parent_span",schemaPath:"#/properties/instrumentations/properties/sql/properties/require_parent_span/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
}
else {
const err133 = {instancePath:instancePath+"/instrumentations/sql",schemaPath:"#/properties/instrumentations/properties/sql/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
let data67 = data49.pino;
if(data67 && typeof data67 == "object" && !Array.isArray(data67)){
if(data67.enabled === undefined){
data67.enabled = true;
}
if(data67.log_keys === undefined){
data67.log_keys = {};
}
for(const key19 in data67){
if(!((key19 === "enabled") || (key19 === "log_keys"))){
const err134 = {instancePath:instancePath+"/instrumentations/pino",schemaPath:"#/properties/instrumentations/properties/pino/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key19},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
}
if(typeof data67.enabled !== "boolean"){
const err135 = {instancePath:instancePath+"/instrumentations/pino/enabled",schemaPath:"#/properties/instrumentations/properties/pino/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
let data69 = data67.log_keys;
if(data69 && typeof data69 == "object" && !Array.isArray(data69)){
if(data69.trace_id === undefined){
data69.trace_id = "trace_id";
}
if(data69.span_id === undefined){
data69.span_id = "span_id";
}
if(data69.trace_flags === undefined){
data69.trace_flags = "trace_flags";
}
for(const key20 in data69){
if(!(((key20 === "trace_id") || (key20 === "span_id")) || (key20 === "trace_flags"))){
const err136 = {instancePath:instancePath+"/instrumentations/pino/log_keys",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key20},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
}
let data70 = data69.trace_id;
if(typeof data70 === "string"){
if(func3(data70) < 1){
const err137 = {instancePath:instancePath+"/instrumentations/pino/log_keys/trace_id",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/trace_id/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
}
else {
const err138 = {instancePath:instancePath+"/instrumentations/pino/log_keys/trace_id",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/trace_id/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
let data71 = data69.span_id;
if(typeof data71 === "string"){
if(func3(data71) < 1){
const err139 = {instancePath:instancePath+"/instrumentations/pino/log_keys/span_id",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/span_id/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
}
else {
const err140 = {instancePath:instancePath+"/instrumentations/pino/log_keys/span_id",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/span_id/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
let data72 = data69.trace_flags;
if(typeof data72 === "string"){
if(func3(data72) < 1){
const err141 = {instancePath:instancePath+"/instrumentations/pino/log_keys/trace_flags",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/trace_flags/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
}
else {
const err142 = {instancePath:instancePath+"/instrumentations/pino/log_keys/trace_flags",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/properties/trace_flags/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
}
else {
const err143 = {instancePath:instancePath+"/instrumentations/pino/log_keys",schemaPath:"#/properties/instrumentations/properties/pino/properties/log_keys/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
}
else {
const err144 = {instancePath:instancePath+"/instrumentations/pino",schemaPath:"#/properties/instrumentations/properties/pino/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
let data73 = data49.winston;
if(data73 && typeof data73 == "object" && !Array.isArray(data73)){
if(data73.enabled === undefined){
data73.enabled = true;
}
for(const key21 in data73){
if(!(key21 === "enabled")){
const err145 = {instancePath:instancePath+"/instrumentations/winston",schemaPath:"#/properties/instrumentations/properties/winston/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key21},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
}
if(typeof data73.enabled !== "boolean"){
const err146 = {instancePath:instancePath+"/instrumentations/winston/enabled",schemaPath:"#/properties/instrumentations/properties/winston/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
}
else {
const err147 = {instancePath:instancePath+"/instrumentations/winston",schemaPath:"#/properties/instrumentations/properties/winston/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
}
else {
const err148 = {instancePath:instancePath+"/instrumentations",schemaPath:"#/properties/instrumentations/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
}
else {
const err149 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}
