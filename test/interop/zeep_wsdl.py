"""Loads wsdl/srv.wsdl in Python zeep (a SOAP toolkit nobody here wrote) and prints, as JSON,
what it makes of it: every port's operations with their SOAP actions, the parameter names in
order, and the SOAP 1.1 envelope it builds for the seed's DeleteUploadHandler example."""
import json
import sys

import zeep
from lxml import etree

wsdl_path = sys.argv[1]
client = zeep.Client(wsdl_path)
ports = {}
for service in client.wsdl.services.values():
    for port in service.ports.values():
        operations = {}
        for name, operation in port.binding._operations.items():
            operations[name] = {
                "soapAction": operation.soapaction,
                "parameters": [element_name for element_name, _ in operation.input.body.type.elements],
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


def parse_reply(operation, inner):
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<{operation}Response xmlns="http://tempuri.org/"><{operation}Result>{inner}</{operation}Result>'
        f"</{operation}Response></soap:Body></soap:Envelope>"
    )
    result = service._binding.process_reply(client, service._binding.get(operation), Reply(body))
    element = next(value for value in result.__values__.values() if value is not None)
    return {key: (value.decode() if isinstance(value, bytes) else value) for key, value in element.__values__.items() if key != "_value_1" or value}


replies = {
    "unqualified response": parse_reply("DeleteUploadHandler", '<response xmlns="" success="true" error=""/>'),
    "inherited root": parse_reply("DeleteUploadHandler", '<root success="false" error="[901] Session expired or Invalid ticket"/>'),
    "download chunk": parse_reply(
        "DownloadFileChunk",
        '<response xmlns="" success="true" filelength="3" chunklength="3" lastchunk="true" chunkCRC32="352441c2">YWJj</response>',
    ),
}
print(json.dumps({"ports": ports, "deleteUploadHandler": etree.tostring(envelope).decode(), "replies": replies}))
