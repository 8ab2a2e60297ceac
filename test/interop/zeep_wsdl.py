"""Loads wsdl/srv.wsdl in Python zeep (a SOAP toolkit nobody here wrote) and prints, as JSON,
what it makes of it: every port's operations with their SOAP actions or HTTP locations, the
parameter names in order, the SOAP 1.1 envelope it builds for the seed's DeleteUploadHandler example, and the result
element it hands back for each name and namespace form the service uses."""
import json
import sys

import zeep
from lxml import etree
from zeep.helpers import serialize_object

wsdl_path = sys.argv[1]
client = zeep.Client(wsdl_path)
ports = {}
for service in client.wsdl.services.values():
    for port in service.ports.values():
        operations = {}
        for name, operation in port.binding._operations.items():
            # An HTTP operation has a location; UploadFileChunk's multipart input has no serializer in zeep.
            body = getattr(operation.input, "body", None)
            operations[name] = {
                "soapAction": getattr(operation, "soapaction", None),
                "location": getattr(operation, "location", None),
                "parameters": None if body is None else [element_name for element_name, _ in body.type.elements],
            }
        ports[port.name] = {"binding": type(port.binding).__name__, "operations": operations}

service = client.bind("srv", "srvSoap")
envelope = client.create_message(
    service,
    "DeleteUploadHandler",
    authenticationTicket="3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    UploadHandler="a1b2c3d4-e5f6-7890-abcd-ef1234567890",
)


class Reply:
    """The slice of an HTTP response zeep's binding reads."""

    def __init__(self, body):
        self.content = body.encode()
        self.status_code = 200
        self.headers = {"Content-Type": "text/xml; charset=utf-8"}
        self.encoding = "utf-8"


TEMPURI = "http://tempuri.org/"


def parse_reply(operation, inner, wrapper_prefix=""):
    """What zeep makes of {Op}Result: with s:any, the raw lxml element, in whatever form it came."""
    tag = lambda name: f"{wrapper_prefix}:{name}" if wrapper_prefix else name
    xmlns = f'xmlns:{wrapper_prefix}="{TEMPURI}"' if wrapper_prefix else f'xmlns="{TEMPURI}"'
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<{tag(operation + "Response")} {xmlns}><{tag(operation + "Result")}>{inner}</{tag(operation + "Result")}>'
        f'</{tag(operation + "Response")}></soap:Body></soap:Envelope>'
    )
    result = service._binding.process_reply(client, service._binding.get(operation), Reply(body))
    if not isinstance(result, etree._Element):
        raise AssertionError("expected an lxml element, got %r" % (result,))
    return result


def described(element):
    """The element's namespace and name, and its attributes as the wire has them (strings)."""
    qname = etree.QName(element)
    return {"namespace": qname.namespace or "", "name": qname.localname, "attributes": dict(element.attrib)}


def typed(element, type_name):
    """The element read through the schema's named type of its attributes, as a caller may do."""
    value = serialize_object(client.get_type("{%s}%s" % (TEMPURI, type_name)).parse_xmlelement(element, client.wsdl.types))
    return {key: (item.decode() if isinstance(item, bytes) else item) for key, item in value.items() if item is not None}


STATUS = 'success="true" error=""'
chunk = parse_reply(
    "DownloadFileChunk",
    '<response xmlns="" success="true" filelength="3" chunklength="3" lastchunk="true" chunkCRC32="352441c2">YWJj</response>',
)
replies = {
    "xmlns-empty response": described(parse_reply("DeleteUploadHandler", f'<response xmlns="" {STATUS}/>')),
    "inherited root": described(parse_reply("DeleteUploadHandler", '<root success="false" error="[901] Session expired or Invalid ticket"/>')),
    "unqualified Response": described(parse_reply("DeleteUploadHandler", f"<Response {STATUS}/>", "tns")),
    "prefixed response": described(parse_reply("DeleteUploadHandler", f"<tns:response {STATUS}/>", "tns")),
    "spaced, with an unknown attribute": described(parse_reply("DeleteUploadHandler", f'\n  <root xmlns="" {STATUS} added="1"/>\n')),
    "download chunk": described(chunk),
}
print(json.dumps({
    "ports": ports,
    "deleteUploadHandler": etree.tostring(envelope).decode(),
    "replies": replies,
    "typedChunk": typed(chunk, "DownloadedChunk"),
    "chunkText": chunk.text,
}))
