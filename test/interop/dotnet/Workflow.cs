// The whole upload/download workflow (with the document's download facts, versions, a lock and its
// deletion) through the proxy that Mono's `wsdl` generates from
// wsdl/srv.wsdl: System.Web.Services and XmlSerializer, the code behind .NET Framework's wsdl.exe
// and "Add Web Reference". test/interop/mono.test.ts generates that proxy (class srv) for SOAP 1.1
// or 1.2 and compiles it with this file; nothing in the proxy is edited.
//
// Usage: mono workflow.exe [--schema <wsdl>] [--workflow <service-url>]... [--forms <url> <form>...]
//   --schema    compiles the WSDL's schema with .NET's schema compiler: any error or warning fails
//   --workflow  runs the whole workflow against a service (the emulator; user demo/demo, library Public)
//   --forms     calls a server that answers in the result form named by ?form=<form>, and prints how
//               the proxy hands each back: "form <form>: <name> {<namespace>} success=... text=..."
// The last line is "workflow ok (SOAP 1.1)" or "(SOAP 1.2)", taken from the proxy itself, and the
// exit code 0. Any failure prints "FAILED (SOAP 1.x): ..." on stderr and exits 1.
using System;
using System.Collections.Generic;
using System.IO;
using System.Web.Services.Description;
using System.Web.Services.Protocols;
using System.Xml;
using System.Xml.Schema;

class Failure : Exception
{
    public Failure(string message) : base(message) { }
}

static class Workflow
{
    const int FileSize = 600000;
    const int PreferedChunkSize = 262144;

    static string version = "?";

    static int Main(string[] args)
    {
        try
        {
            var proxy = new srv();
            version = proxy.SoapVersion == SoapProtocolVersion.Soap12 ? "SOAP 1.2" : "SOAP 1.1";
            int done = 0;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--schema" && i + 1 < args.Length) { CompileSchema(args[++i]); done++; }
                else if (args[i] == "--workflow" && i + 1 < args.Length) { Run(args[++i]); done++; }
                else if (args[i] == "--forms" && i + 1 < args.Length)
                {
                    string url = args[++i];
                    var forms = new List<string>();
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--")) forms.Add(args[++i]);
                    if (forms.Count == 0) throw new Failure("--forms needs at least one form");
                    foreach (string form in forms) ShowForm(url, form);
                    done++;
                }
                else throw new Failure("unknown argument " + args[i]);
            }
            if (done == 0) throw new Failure("nothing to do: give --schema, --workflow or --forms");
            Console.WriteLine("workflow ok (" + version + ")");
            return 0;
        }
        catch (Failure failure)
        {
            Console.Error.WriteLine("FAILED (" + version + "): " + failure.Message);
            return 1;
        }
        catch (Exception error)
        {
            Console.Error.WriteLine("FAILED (" + version + "): " + error);
            return 1;
        }
    }

    /// <summary>The WSDL's schema, compiled as .NET compiles it: it must be free of errors and warnings.</summary>
    static void CompileSchema(string wsdl)
    {
        var description = ServiceDescription.Read(wsdl);
        var schemas = new XmlSchemaSet();
        var problems = new List<string>();
        schemas.ValidationEventHandler += (sender, e) => problems.Add(e.Severity + ": " + e.Message);
        foreach (XmlSchema schema in description.Types.Schemas) schemas.Add(schema);
        schemas.Compile();
        if (problems.Count > 0) throw new Failure("the schema of " + wsdl + " does not compile cleanly: " + string.Join("; ", problems));
        Console.WriteLine("schema ok: " + schemas.GlobalTypes.Count + " types, " + schemas.GlobalElements.Count + " elements, "
            + description.PortTypes[0].Operations.Count + " operations");
    }

    static void Run(string url)
    {
        var service = new srv();
        service.Url = url;

        XmlElement login = Succeeded(service.AuthenticateUser("demo", "demo"), "AuthenticateUser");
        string ticket = Required(login, "ticket", "AuthenticateUser");

        byte[] content = new byte[FileSize];
        new Random(20240611).NextBytes(content);
        uint fileCrc = Crc32.Of(content, 0, content.Length);

        XmlElement grant = Succeeded(service.CreateUploadHandler(ticket, PreferedChunkSize), "CreateUploadHandler");
        string uploadHandler = Required(grant, "UploadHandler", "CreateUploadHandler");
        int chunkSize = Number(grant, "ChunkSize", "CreateUploadHandler");
        if (chunkSize <= 0 || chunkSize >= FileSize) throw new Failure("CreateUploadHandler granted ChunkSize " + chunkSize + ", which does not make at least 2 chunks of " + FileSize + " bytes");

        int chunks = 0;
        for (int offset = 0; offset < content.Length; offset += chunkSize)
        {
            int length = Math.Min(chunkSize, content.Length - offset);
            byte[] chunk = new byte[length];
            Buffer.BlockCopy(content, offset, chunk, 0, length);
            bool last = offset + length == content.Length;
            string crc = Crc32.Of(chunk, 0, length).ToString("X");
            XmlElement ack = Element(service.UploadFileChunk(ticket, uploadHandler, chunk, crc, last), "UploadFileChunk");
            if (IsTrue(Attribute(ack, "tryagain"))) throw new Failure("UploadFileChunk asked to resend chunk " + chunks + " (CRC " + crc + ")");
            Succeeded(ack, "UploadFileChunk");
            string fileHexCrc = Attribute(ack, "filehexcrc");
            if (last && fileHexCrc != null && ParseCrc(fileHexCrc, "filehexcrc") != fileCrc)
                throw new Failure("the last chunk's filehexcrc " + fileHexCrc + " is not the file's CRC-32 " + fileCrc.ToString("x8"));
            chunks++;
        }
        if (chunks < 2) throw new Failure("the upload took " + chunks + " chunk(s), not at least 2");

        string path = "/Public/mono-" + version.Replace(' ', '-').Replace('.', '_') + "-" + Guid.NewGuid().ToString("N") + ".bin";
        XmlElement stored = Succeeded(service.UploadDocumentWithHandler(ticket, path, uploadHandler), "UploadDocumentWithHandler");
        Number(stored, "DocumentId", "UploadDocumentWithHandler");

        XmlElement exists = Succeeded(service.DocumentExists(ticket, path), "DocumentExists");
        uint storedCrc = ParseCrc(Required(exists, "CRC32LASTVERSION", "DocumentExists"), "CRC32LASTVERSION");
        if (storedCrc != fileCrc) throw new Failure("DocumentExists gives CRC32LASTVERSION " + storedCrc.ToString("x8") + ", the file's CRC-32 is " + fileCrc.ToString("x8"));

        CheckVersionsAndLock(service, ticket, path, fileCrc);

        XmlElement download = Succeeded(service.GetDownloadHandler(ticket, path, PreferedChunkSize), "GetDownloadHandler");
        string downloadHandler = Required(download, "downloadhandler", "GetDownloadHandler");
        int size = Number(download, "Size", "GetDownloadHandler");
        if (size != FileSize) throw new Failure("GetDownloadHandler gives Size " + size + ", not " + FileSize);
        string stagedCrc = Attribute(download, "CRC32");
        if (stagedCrc != null && ParseCrc(stagedCrc, "CRC32") != fileCrc) throw new Failure("GetDownloadHandler gives CRC32 " + stagedCrc + ", the file's CRC-32 is " + fileCrc.ToString("x8"));
        string grantedChunk = Attribute(download, "ChunkSize");
        int downloadChunkSize = grantedChunk == null ? PreferedChunkSize : Number(download, "ChunkSize", "GetDownloadHandler");

        var copy = new MemoryStream();
        int downloadChunks = 0;
        for (bool lastChunk = false; !lastChunk; downloadChunks++)
        {
            if (downloadChunks > FileSize / Math.Max(1, downloadChunkSize) + 1) throw new Failure("DownloadFileChunk never said lastchunk=\"true\"");
            XmlElement piece = Succeeded(service.DownloadFileChunk(ticket, downloadHandler, (int)copy.Length, downloadChunkSize), "DownloadFileChunk");
            byte[] bytes = Convert.FromBase64String(piece.InnerText);
            int chunkLength = Number(piece, "chunklength", "DownloadFileChunk");
            if (chunkLength != bytes.Length) throw new Failure("DownloadFileChunk says chunklength " + chunkLength + " and carries " + bytes.Length + " bytes");
            string chunkCrc = Attribute(piece, "chunkCRC32");
            if (chunkCrc != null && ParseCrc(chunkCrc, "chunkCRC32") != Crc32.Of(bytes, 0, bytes.Length))
                throw new Failure("DownloadFileChunk at offset " + copy.Length + ": chunkCRC32 " + chunkCrc + " does not match the bytes");
            copy.Write(bytes, 0, bytes.Length);
            lastChunk = IsTrue(Attribute(piece, "lastchunk"));
        }
        byte[] downloaded = copy.ToArray();
        if (downloaded.Length != content.Length) throw new Failure("downloaded " + downloaded.Length + " bytes, uploaded " + content.Length);
        for (int i = 0; i < content.Length; i++)
        {
            if (downloaded[i] != content[i]) throw new Failure("the downloaded copy differs from the upload at byte " + i);
        }
        if (downloadChunks < 2) throw new Failure("the download took " + downloadChunks + " chunk(s), not at least 2");
        Succeeded(service.DeleteDownloadHandler(ticket, downloadHandler), "DeleteDownloadHandler");
        Succeeded(service.DeleteDocument(ticket, path), "DeleteDocument");

        XmlElement badRequest = Element(service.DeleteUploadHandler(ticket, "not-a-guid"), "DeleteUploadHandler");
        if (Attribute(badRequest, "success") != "false" || Attribute(badRequest, "error") != "bad Request")
            throw new Failure("DeleteUploadHandler with a non-GUID handler answered " + badRequest.OuterXml + ", not success=\"false\" error=\"bad Request\"");

        Succeeded(service.LogOut(ticket), "LogOut");
        Console.WriteLine("workflow: " + FileSize + " bytes up in " + chunks + " chunks of " + chunkSize + " and down in " + downloadChunks
            + ", CRC-32 " + fileCrc.ToString("x8") + ", stored as " + path + " (" + url + ")");
    }

    /// <summary>GetDownloadInfo and GetDocumentVersions of the new document, read through the proxy; a Lock and its UnLock.</summary>
    static void CheckVersionsAndLock(srv service, string ticket, string path, uint fileCrc)
    {
        XmlElement info = Succeeded(service.GetDownloadInfo(ticket, path), "GetDownloadInfo");
        if (Number(info, "Size", "GetDownloadInfo") != FileSize) throw new Failure("GetDownloadInfo gives Size " + Attribute(info, "Size") + ", not " + FileSize);
        if (ParseCrc(Required(info, "CRC32", "GetDownloadInfo"), "CRC32") != fileCrc) throw new Failure("GetDownloadInfo gives CRC32 " + Attribute(info, "CRC32"));
        XmlElement versions = Succeeded(service.GetDocumentVersions(ticket, path), "GetDocumentVersions");
        XmlNodeList listed = versions.SelectNodes(".//*[local-name()='Version']");
        if (listed.Count != 1 || ((XmlElement)listed[0]).GetAttribute("Number") != "1000000")
            throw new Failure("GetDocumentVersions lists " + versions.OuterXml + ", not the one version 1000000");
        Succeeded(service.Lock(ticket, path), "Lock");
        Succeeded(service.UnLock(ticket, path, false), "UnLock");
    }

    /// <summary>How the proxy hands back a result element in the given form, for the test to compare.</summary>
    static void ShowForm(string url, string form)
    {
        var service = new srv();
        service.Url = url + (url.Contains("?") ? "&" : "?") + "form=" + Uri.EscapeDataString(form);
        XmlElement status = Element(service.DeleteUploadHandler("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "a1b2c3d4-e5f6-7890-abcd-ef1234567890"), "DeleteUploadHandler");
        XmlElement chunk = Element(service.DownloadFileChunk("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "a1b2c3d4-e5f6-7890-abcd-ef1234567890", 0, 3), "DownloadFileChunk");
        string text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(chunk.InnerText));
        Console.WriteLine("form " + form + ": " + status.LocalName + " {" + status.NamespaceURI + "} success=" + Attribute(status, "success")
            + " error=" + Attribute(status, "error") + "; " + chunk.LocalName + " {" + chunk.NamespaceURI + "} lastchunk=" + Attribute(chunk, "lastchunk") + " text=" + text);
    }

    /// <summary>The one element inside {Op}Result, which the proxy returns as an XmlNode (the WSDL declares s:any).</summary>
    static XmlElement Element(XmlNode result, string operation)
    {
        var element = result as XmlElement;
        if (element == null) throw new Failure(operation + " returned " + (result == null ? "nothing" : "a " + result.NodeType + " node") + " instead of the result element");
        return element;
    }

    /// <summary>success="true" in any case; anything else (or none) is a failure, reported with the error attribute.</summary>
    static XmlElement Succeeded(XmlNode result, string operation)
    {
        XmlElement element = Element(result, operation);
        if (!IsTrue(Attribute(element, "success"))) throw new Failure(operation + " failed: " + element.OuterXml);
        return element;
    }

    /// <summary>An attribute by its exact name, else case-insensitively (the service mixes styles); null when absent.</summary>
    static string Attribute(XmlElement element, string name)
    {
        if (element.HasAttribute(name)) return element.GetAttribute(name);
        foreach (XmlAttribute attribute in element.Attributes)
        {
            if (string.Equals(attribute.LocalName, name, StringComparison.OrdinalIgnoreCase)) return attribute.Value;
        }
        return null;
    }

    static string Required(XmlElement element, string name, string operation)
    {
        string value = Attribute(element, name);
        if (string.IsNullOrEmpty(value)) throw new Failure(operation + " gave no " + name + ": " + element.OuterXml);
        return value;
    }

    static int Number(XmlElement element, string name, string operation)
    {
        int value;
        if (!int.TryParse(Required(element, name, operation), out value)) throw new Failure(operation + " gave a " + name + " that is no integer: " + element.OuterXml);
        return value;
    }

    static bool IsTrue(string flag)
    {
        return flag != null && string.Equals(flag.Trim(), "true", StringComparison.OrdinalIgnoreCase);
    }

    static uint ParseCrc(string hex, string name)
    {
        uint value;
        if (!uint.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out value)) throw new Failure(name + " " + hex + " is not hexadecimal");
        return value;
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib and the service compute it.</summary>
static class Crc32
{
    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    public static uint Of(byte[] bytes, int offset, int count)
    {
        uint crc = 0xFFFFFFFFu;
        for (int i = offset; i < offset + count; i++) crc = Table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
