// @ts-nocheck
/* Generated from schema/sqa.schema.json by scripts/generate-validators.mjs (ajv 8.20.0 standalone code): do not edit. */
"use strict";
export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://tracepack.dev/schema/sqa.schema.json","title":"SqaConfig","description":"The `sqa:` section of a service's config file: anonymous usage statistics (software quality assurance), sent by @tracepack/usage. Off unless an endpoint is set; every opt-out switch turns it off.","type":"object","additionalProperties":false,"properties":{"opt_out":{"description":"true: send nothing, open no socket. Any other opt-out switch does the same: --sqa-opt-out, --disable-telemetry, --enable-telemetry=false, SQA_OPT_OUT, DISABLE_TELEMETRY, TRACEPACK_ENABLE_TELEMETRY=false, DO_NOT_TRACK.","type":"boolean","default":false},"endpoint":{"description":"OTLP/HTTP base URL the reports go to (/v1/metrics is appended when the URL has no path). Unset: nothing is sent; there is no built-in address.","type":"string","format":"http-url"},"protocol":{"description":"Wire format of the reports.","type":"string","enum":["http/protobuf","http/json"],"default":"http/protobuf"},"api_key":{"description":"Sent in the api_key_header of every report (secret: never printed).","type":"string","minLength":1,"x-secret":true},"api_key_header":{"description":"Name of the header that carries api_key.","type":"string","pattern":"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$","default":"x-api-key"},"report_interval":{"description":"How often a report is sent: a duration (30s, 15m, 1h) or seconds; at least 1s.","type":["string","integer"],"format":"duration","default":"15m"},"identify_after":{"description":"Uptime after which an instance outside CI and local runs sends its traits (os, versions, ...); before that it is counted as a test instance.","type":["string","integer"],"format":"duration","default":"15m"},"keepalive_interval":{"description":"How often a keep-alive carrying only the instance id is sent; at least 1s.","type":["string","integer"],"format":"duration","default":"5m"},"endpoint_whitelist":{"description":"Route templates (/clients/:id, /static/*) whose matching paths are sent as the template, besides the routes the http instrumentation resolves. Other paths are sent hashed.","type":"array","items":{"type":"string","pattern":"^/"},"uniqueItems":true,"default":[]},"ignore_paths":{"description":"Paths never counted (exact, or a prefix when ending with *).","type":"array","items":{"type":"string","pattern":"^/"},"uniqueItems":true,"default":["/health/alive","/health/ready","/metrics"]},"max_endpoints":{"description":"Endpoint series kept per report; requests to further endpoints are counted in one overflow series.","type":"integer","minimum":1,"maximum":100000,"default":500},"installation_salt":{"description":"Salt of the SHA-256 of user and organization ids (usage.activity), shared by the instances of one installation so that they count the same user once. Unset: a random salt per start (secret: never printed, never sent).","type":"string","minLength":16,"x-secret":true}}};
const func2 = Object.prototype.hasOwnProperty;
const func3 = require("./formats").ucs2length;
const formats0 = require("./formats").FORMATS["http-url"];
const formats2 = require("./formats").FORMATS.duration;
const pattern0 = new RegExp("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", "u");
const pattern1 = new RegExp("^/", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="https://tracepack.dev/schema/sqa.schema.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.opt_out === undefined){
data.opt_out = false;
}
if(data.protocol === undefined){
data.protocol = "http/protobuf";
}
if(data.api_key_header === undefined){
data.api_key_header = "x-api-key";
}
if(data.report_interval === undefined){
data.report_interval = "15m";
}
if(data.identify_after === undefined){
data.identify_after = "15m";
}
if(data.keepalive_interval === undefined){
data.keepalive_interval = "5m";
}
if(data.endpoint_whitelist === undefined){
data.endpoint_whitelist = [];
}
if(data.ignore_paths === undefined){
data.ignore_paths = ["/health/alive","/health/ready","/metrics"];
}
if(data.max_endpoints === undefined){
data.max_endpoints = 500;
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
if(typeof data.opt_out !== "boolean"){
const err1 = {instancePath:instancePath+"/opt_out",schemaPath:"#/properties/opt_out/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.endpoint !== undefined){
let data1 = data.endpoint;
if(typeof data1 === "string"){
if(!(formats0.validate(data1))){
const err2 = {instancePath:instancePath+"/endpoint",schemaPath:"#/properties/endpoint/format",keyword:"format",params:{format: "http-url"},message:"must match format \""+"http-url"+"\""};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/endpoint",schemaPath:"#/properties/endpoint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
let data2 = data.protocol;
if(typeof data2 !== "string"){
const err4 = {instancePath:instancePath+"/protocol",schemaPath:"#/properties/protocol/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(!((data2 === "http/protobuf") || (data2 === "http/json"))){
const err5 = {instancePath:instancePath+"/protocol",schemaPath:"#/properties/protocol/enum",keyword:"enum",params:{allowedValues: schema11.properties.protocol.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.api_key !== undefined){
let data3 = data.api_key;
if(typeof data3 === "string"){
if(func3(data3) < 1){
const err6 = {instancePath:instancePath+"/api_key",schemaPath:"#/properties/api_key/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/api_key",schemaPath:"#/properties/api_key/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
let data4 = data.api_key_header;
if(typeof data4 === "string"){
if(!pattern0.test(data4)){
const err8 = {instancePath:instancePath+"/api_key_header",schemaPath:"#/properties/api_key_header/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"},message:"must match pattern \""+"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"+"\""};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/api_key_header",schemaPath:"#/properties/api_key_header/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
let data5 = data.report_interval;
if((typeof data5 !== "string") && (!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5))))){
const err10 = {instancePath:instancePath+"/report_interval",schemaPath:"#/properties/report_interval/type",keyword:"type",params:{type: schema11.properties.report_interval.type},message:"must be string,integer"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(typeof data5 === "string"){
if(!(formats2.validate(data5))){
const err11 = {instancePath:instancePath+"/report_interval",schemaPath:"#/properties/report_interval/format",keyword:"format",params:{format: "duration"},message:"must match format \""+"duration"+"\""};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
let data6 = data.identify_after;
if((typeof data6 !== "string") && (!(((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6))) && (isFinite(data6))))){
const err12 = {instancePath:instancePath+"/identify_after",schemaPath:"#/properties/identify_after/type",keyword:"type",params:{type: schema11.properties.identify_after.type},message:"must be string,integer"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(typeof data6 === "string"){
if(!(formats2.validate(data6))){
const err13 = {instancePath:instancePath+"/identify_after",schemaPath:"#/properties/identify_after/format",keyword:"format",params:{format: "duration"},message:"must match format \""+"duration"+"\""};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
let data7 = data.keepalive_interval;
if((typeof data7 !== "string") && (!(((typeof data7 == "number") && (!(data7 % 1) && !isNaN(data7))) && (isFinite(data7))))){
const err14 = {instancePath:instancePath+"/keepalive_interval",schemaPath:"#/properties/keepalive_interval/type",keyword:"type",params:{type: schema11.properties.keepalive_interval.type},message:"must be string,integer"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(typeof data7 === "string"){
if(!(formats2.validate(data7))){
const err15 = {instancePath:instancePath+"/keepalive_interval",schemaPath:"#/properties/keepalive_interval/format",keyword:"format",params:{format: "duration"},message:"must match format \""+"duration"+"\""};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
let data8 = data.endpoint_whitelist;
if(Array.isArray(data8)){
const len0 = data8.length;
for(let i0=0; i0<len0; i0++){
let data9 = data8[i0];
if(typeof data9 === "string"){
if(!pattern1.test(data9)){
const err16 = {instancePath:instancePath+"/endpoint_whitelist/" + i0,schemaPath:"#/properties/endpoint_whitelist/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\""};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
else {
const err17 = {instancePath:instancePath+"/endpoint_whitelist/" + i0,schemaPath:"#/properties/endpoint_whitelist/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
let i1 = data8.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data8[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err18 = {instancePath:instancePath+"/endpoint_whitelist",schemaPath:"#/properties/endpoint_whitelist/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err19 = {instancePath:instancePath+"/endpoint_whitelist",schemaPath:"#/properties/endpoint_whitelist/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
let data10 = data.ignore_paths;
if(Array.isArray(data10)){
const len1 = data10.length;
for(let i2=0; i2<len1; i2++){
let data11 = data10[i2];
if(typeof data11 === "string"){
if(!pattern1.test(data11)){
const err20 = {instancePath:instancePath+"/ignore_paths/" + i2,schemaPath:"#/properties/ignore_paths/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\""};
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
const err21 = {instancePath:instancePath+"/ignore_paths/" + i2,schemaPath:"#/properties/ignore_paths/items/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
let i3 = data10.length;
let j1;
if(i3 > 1){
const indices1 = {};
for(;i3--;){
let item1 = data10[i3];
if(typeof item1 !== "string"){
continue;
}
if(typeof indices1[item1] == "number"){
j1 = indices1[item1];
const err22 = {instancePath:instancePath+"/ignore_paths",schemaPath:"#/properties/ignore_paths/uniqueItems",keyword:"uniqueItems",params:{i: i3, j: j1},message:"must NOT have duplicate items (items ## "+j1+" and "+i3+" are identical)"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
break;
}
indices1[item1] = i3;
}
}
}
else {
const err23 = {instancePath:instancePath+"/ignore_paths",schemaPath:"#/properties/ignore_paths/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
let data12 = data.max_endpoints;
if(!(((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12))) && (isFinite(data12)))){
const err24 = {instancePath:instancePath+"/max_endpoints",schemaPath:"#/properties/max_endpoints/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if((typeof data12 == "number") && (isFinite(data12))){
if(data12 > 100000 || isNaN(data12)){
const err25 = {instancePath:instancePath+"/max_endpoints",schemaPath:"#/properties/max_endpoints/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if(data12 < 1 || isNaN(data12)){
const err26 = {instancePath:instancePath+"/max_endpoints",schemaPath:"#/properties/max_endpoints/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.installation_salt !== undefined){
let data13 = data.installation_salt;
if(typeof data13 === "string"){
if(func3(data13) < 16){
const err27 = {instancePath:instancePath+"/installation_salt",schemaPath:"#/properties/installation_salt/minLength",keyword:"minLength",params:{limit: 16},message:"must NOT have fewer than 16 characters"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
else {
const err28 = {instancePath:instancePath+"/installation_salt",schemaPath:"#/properties/installation_salt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
}
else {
const err29 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}
