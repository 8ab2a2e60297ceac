// Calls the emulator through the proxies Mono's wsdl generates, unedited, for the HTTP POST binding
// (namespace HttpPostProxy) and the HTTP GET binding (HttpGetProxy), and prints each bare result's
// attributes as the proxy hands them over (AnyAttr). Usage: HttpBindings.exe <service URL>
using System;
using System.Linq;
using System.Xml;

static class HttpBindings {
    static string Attributes(XmlAttribute[] attributes) {
        return string.Join(" ", (attributes ?? new XmlAttribute[0]).Select(a => a.Name + "=" + a.Value));
    }

    static string Attribute(XmlAttribute[] attributes, string name) {
        XmlAttribute found = (attributes ?? new XmlAttribute[0]).FirstOrDefault(a => a.Name == name);
        return found == null ? "" : found.Value;
    }

    static int Main(string[] args) {
        string url = args[0];
        var post = new HttpPostProxy.srv { Url = url };
        var get = new HttpGetProxy.srv { Url = url };
        var login = post.AuthenticateUser("demo", "demo");
        string ticket = Attribute(login.AnyAttr, "ticket");
        Console.WriteLine("post AuthenticateUser: success=" + Attribute(login.AnyAttr, "success") + " ticket " + (ticket.Length == 36 ? "is a GUID" : "missing"));
        Console.WriteLine("post ServerInfo: success=" + Attribute(post.ServerInfo().AnyAttr, "success"));
        Console.WriteLine("post FolderExists /Public: " + Attributes(post.FolderExists(ticket, "/Public").AnyAttr));
        Console.WriteLine("get FolderExists /Nope: " + Attributes(get.FolderExists(ticket, "/Nope").AnyAttr));
        Console.WriteLine("get DeleteUploadHandler not-a-guid: " + Attributes(get.DeleteUploadHandler(ticket, "not-a-guid").AnyAttr));
        Console.WriteLine("post LogOut: success=" + Attribute(post.LogOut(ticket).AnyAttr, "success"));
        return 0;
    }
}
