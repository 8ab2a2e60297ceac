"""Drives the emulator with python-zeep, a SOAP client nobody here wrote.

Usage: /usr/bin/python3 zeep_emulator.py <wsdl-url> <library>
Drives it over SOAP 1.1, then a few calls over the HTTP POST and GET ports.
Prints one JSON object describing every reply, for test/interop/zeep-emulator.test.ts to check.
"""
import json
import os
import sys
import zlib

import zeep
from lxml import etree


def attributes(result):
    """The attributes of the one result element inside {Op}Result, as the wire has them (strings).
    {Op}Result is an s:any, so zeep hands back the raw lxml element, whatever its name and namespace form."""
    if not isinstance(result, etree._Element):
        raise AssertionError("expected the result element, got %r" % (result,))
    return dict(result.attrib)


def crc_hex(data):
    return format(zlib.crc32(data) & 0xFFFFFFFF, "X")


def main():
    wsdl_url, library = sys.argv[1], sys.argv[2]
    service = zeep.Client(wsdl_url).bind("srv", "srvSoap")
    report = {}

    login = attributes(service.AuthenticateUser(UID="demo", PWD="demo"))
    ticket = login["ticket"]
    report["login"] = {"success": login["success"], "username": login["username"]}

    grant = attributes(service.CreateUploadHandler(authenticationTicket=ticket, PreferedChunkSize=262144))
    handler, chunk_size = grant["UploadHandler"], int(grant["ChunkSize"])
    report["grant"] = {"success": grant["success"], "ChunkSize": chunk_size}

    content = os.urandom(chunk_size + 1000)
    first, second = content[:chunk_size], content[chunk_size:]

    def upload(chunk, crc, last):
        return attributes(service.UploadFileChunk(
            authenticationTicket=ticket, uploadHandler=handler, fileChunk=chunk, chunkHEXCRC=crc, lastChunk=last))

    wrong_crc = format((zlib.crc32(first) ^ 0xFFFF) & 0xFFFFFFFF, "X")
    report["wrongCrc"] = upload(first, wrong_crc, False)
    report["firstChunk"] = upload(first, crc_hex(first), False)
    report["lastChunk"] = upload(second, crc_hex(second).lower(), True)
    report["fileCrc"] = format(zlib.crc32(content) & 0xFFFFFFFF, "08x")

    path = "/%s/zeep-interop.bin" % library
    report["finalize"] = attributes(service.UploadDocumentWithHandler(
        authenticationTicket=ticket, path=path, uploadHandler=handler))
    report["exists"] = attributes(service.DocumentExists(authenticationTicket=ticket, Path=path))

    spare = attributes(service.CreateUploadHandler(authenticationTicket=ticket, PreferedChunkSize=0))
    report["deleteSpare"] = attributes(service.DeleteUploadHandler(
        authenticationTicket=ticket, UploadHandler=spare["UploadHandler"]))
    report["deleteConsumed"] = attributes(service.DeleteUploadHandler(
        authenticationTicket=ticket, UploadHandler=handler))
    report["path"] = path
    report["more"] = more_operations(service, ticket, library)
    report["http"] = over_http(zeep.Client(wsdl_url))

    print(json.dumps(report))


def children_named(element, name):
    """The descendants of a result element by local name, whatever namespace they inherit."""
    return [child for child in element.iter() if isinstance(child.tag, str) and etree.QName(child).localname == name]


def store(service, ticket, path, data):
    """Uploads `data` to `path` in one chunk, as a new document or a new version."""
    handler = attributes(service.CreateUploadHandler(authenticationTicket=ticket, PreferedChunkSize=262144))["UploadHandler"]
    service.UploadFileChunk(authenticationTicket=ticket, uploadHandler=handler, fileChunk=data, chunkHEXCRC=crc_hex(data), lastChunk=True)
    return attributes(service.UploadDocumentWithHandler(authenticationTicket=ticket, path=path, uploadHandler=handler))


def more_operations(service, ticket, library):
    """The operations of issue 23 a toolkit is likeliest to call: versions, download facts, locks, deletion."""
    path = "/%s/zeep-versions.txt" % library
    store(service, ticket, path, b"first")
    store(service, ticket, path, b"the second")
    versions = service.GetDocumentVersions(AuthenticationTicket=ticket, Path=path)
    report = {
        "versions": sorted(
            (int(version.get("Number")), children_named(version, "VersionSize")[0].text)
            for version in children_named(versions, "Version")
        ),
        "version": attributes(service.GetDocumentVersion(authenticationTicket=ticket, path=path, versionNumber=1000000)),
        "downloadInfo": attributes(service.GetDownloadInfo(AuthenticationTicket=ticket, Path=path)),
        "downloadInfoByVersion": attributes(service.GetDownloadInfoByVersion(AuthenticationTicket=ticket, Path=path, VersionNumber=1000000)),
        "lock": attributes(service.Lock(AuthenticationTicket=ticket, Path=path)),
        "lockAgain": attributes(service.Lock(AuthenticationTicket=ticket, Path=path)),
    }
    checked_out = service.GetCheckedoutDocuments(
        AuthenticationTicket=ticket, withpropertysets=False, withsecurity=False, withOwner=False, withVersions=False)
    report["checkedOut"] = [document.get("Name") for document in children_named(checked_out, "document")]
    report["unlock"] = attributes(service.UnLock(authenticationTicket=ticket, path=path, force=False))
    report["deleteVersion"] = attributes(service.DeleteDocumentVersion(authenticationTicket=ticket, DocumentPath=path, VersionNumber=1000000))
    report["deleteDocument"] = attributes(service.DeleteDocument(authenticationTicket=ticket, Path=path))
    report["afterDelete"] = attributes(service.GetDownloadInfo(AuthenticationTicket=ticket, Path=path))
    return report


def bare(result):
    """A bare result element of the HTTP bindings as zeep reads it (mime:mimeXml): its type, and the
    attributes its s:anyAttribute took."""
    return {"type": type(result).__name__, "attributes": dict(result["_attr_1"] or {})}


def over_http(client):
    """Calls over the HTTP POST and HTTP GET ports: the bare element, no envelope."""
    post, get = client.bind("srv", "srvHttpPost"), client.bind("srv", "srvHttpGet")
    login = bare(post.AuthenticateUser(UID="demo", PWD="demo"))
    ticket = login["attributes"].pop("ticket")
    replies = {
        "postLogin": {"type": login["type"], "success": login["attributes"]["success"], "ticketIsGuid": len(ticket) == 36},
        "postFolderExists": bare(post.FolderExists(authenticationTicket=ticket, Path="/Public")),
        "getFolderExists": bare(get.FolderExists(authenticationTicket=ticket, Path="/Nope")),
        "getDeleteUploadHandler": bare(get.DeleteUploadHandler(authenticationTicket=ticket, UploadHandler="not-a-guid")),
        "getDownloadInfo": bare(get.GetDownloadInfo(AuthenticationTicket=ticket, Path="/Public/zeep-interop.bin")),
    }
    post.LogOut(AuthenticationTicket=ticket)
    return replies


if __name__ == "__main__":
    main()
