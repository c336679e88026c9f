"""ACK's field-naming rule (aws-controllers-k8s/pkg `names`), encoded for the shape generator.

A botocore member name becomes a lower-camel field name with Go-style initialisms:
RoleArn -> roleARN, S3Uri -> s3URI, ModelDataUrl -> modelDataURL, KmsKeyId -> kmsKeyID,
SecurityGroupIds -> securityGroupIDs. A name that is a Go keyword gets a trailing underscore
(Type -> type_); the generator keeps the plain spelling and accepts ACK's as an alias.

The table lists (camel form, upper form, lower form, optional regex matching the camel form
where a plain substring would also hit longer words). Order matters: longer or more specific
entries come before the entries they contain.
"""
import re

_TABLE = [
    ("Ids", "IDs", "ids", r"(?![U|u])Ids"),
    ("Id", "ID", "id", r"Id(?!entifier|le|entity|entities|empotency|c)"),
    ("Idc", "IDC", "idc", r"Idc"),
    ("Dbi", "DBI", "dbi", r"Dbi"),
    ("Db", "DB", "db", r"Db(?!i)"),
    ("Db", "DB", "db", r"DB"),
    ("CACert", "CACert", "caCert", r"CACert"),
    ("MD5Of", "MD5Of", "md5Of", r"M[dD]5Of"),
    ("Ipc", "IPC", "ipc", r"Ipc"),
    ("IPAddress", "IPAddress", "ip_address", None),
    ("IPv4", "IPv4", "ipv4", r"I[Pp]v4"),
    ("IPv6", "IPv6", "ipv6", r"I[Pp]v6"),
    ("Ip", "IP", "ip", r"Ip(?!art|am)"),
    ("IPSet", "IPSet", "ip_set", None),
    ("Amis", "AMIs", "amis", r"Amis"),
    ("Ami", "AMI", "ami", r"Ami"),
    ("Acl", "ACL", "acl", None),
    ("Acm", "ACM", "acm", r"(?:Acm|ACM)(?!e)"),
    ("AIML", "AIML", "aiml", None),
    ("Acp", "ACP", "acp", None),
    ("Api", "API", "api", None),
    ("Arn", "ARN", "arn", None),
    ("ArgoCd", "ArgoCD", "argoCD", None),
    ("Asn", "ASN", "asn", None),
    ("Awsvpc", "AWSVPC", "awsVPC", None),
    ("Aws", "AWS", "aws", None),
    ("Az", "AZ", "az", None),
    ("Bgp", "BGP", "bgp", None),
    ("Cors", "CORS", "cors", None),
    ("Cidr", "CIDR", "cidr", None),
    ("Cname", "CNAME", "cname", None),
    ("Cpu", "CPU", "cpu", None),
    ("Crl", "CRL", "crl", None),
    ("Cps", "CPS", "cps", None),
    ("Csr", "CSR", "csr", None),
    ("Dhcp", "DHCP", "dhcp", None),
    ("Dns", "DNS", "dns", None),
    ("Dpd", "DPD", "dpd", None),
    ("Ebs", "EBS", "ebs", None),
    ("Ec2", "EC2", "ec2", None),
    ("Ecr", "ECR", "ecr", r"(?!S|s|D|d)[Ee]cr(?!et|ease)"),
    ("Ecs", "ECS", "ecs", None),
    ("Edi", "EDI", "edi", r"Edi(?!t)"),
    ("Efs", "EFS", "efs", None),
    ("Eks", "EKS", "eks", None),
    ("Ena", "ENA", "ena", r"Ena(?!bl)"),
    ("Ecmp", "ECMP", "ecmp", None),
    ("Fifo", "FIFO", "fifo", None),
    ("Fpga", "FPGA", "fpga", None),
    ("Gid", "GID", "gid", None),
    ("Gpu", "GPU", "gpu", None),
    ("Grpc", "GRPC", "grpc", None),
    ("Html", "HTML", "html", None),
    ("Http", "HTTP", "http", r"(HTTP((?!S[A-Z]))|Http(?!s))"),
    ("Https", "HTTPS", "https", None),
    ("Iam", "IAM", "iam", None),
    ("Icmp", "ICMP", "icmp", None),
    ("Io", "IO", "io", r"Io(?!ps)"),
    ("Iops", "IOPS", "iops", None),
    ("Ipam", "IPAM", "ipam", None),
    ("Ja3", "JA3", "ja3", None),
    ("Json", "JSON", "json", None),
    ("Jwt", "JWT", "jwt", None),
    ("Kms", "KMS", "kms", None),
    ("Ldap", "LDAP", "ldap", None),
    ("Mfa", "MFA", "mfa", None),
    ("Mibps", "MiBps", "miBps", r"Mibps"),
    ("Nat", "NAT", "nat", r"Nat(?!i)"),
    ("Oid", "OID", "oid", r"Oid(?!c)"),
    ("OID", "OID", "oid", r"OID(?!C)"),
    ("Oidc", "OIDC", "oidc", None),
    ("Ocsp", "OCSP", "ocsp", None),
    ("Pca", "PCA", "pca", None),
    ("Pid", "PID", "pid", None),
    ("Ramdisk", "RAMDisk", "ramDisk", r"Ramdisk"),
    ("Ram", "RAM", "ram", r"Ram"),
    ("Rfc", "RFC", "rfc", None),
    ("Sasl", "SASL", "sasl", None),
    ("Scram", "SCRAM", "scram", None),
    ("Sdk", "SDK", "sdk", None),
    ("Sha256", "SHA256", "sha256", None),
    ("Sns", "SNS", "sns", None),
    ("Sqli", "SQLI", "sqli", None),
    ("Sql", "SQL", "sql", None),
    ("Sqs", "SQS", "sqs", None),
    ("Sriov", "SRIOV", "sriov", None),
    ("Sse", "SSE", "sse", None),
    ("Ssl", "SSL", "ssl", None),
    ("Tcp", "TCP", "tcp", None),
    ("Tde", "TDE", "tde", None),
    ("Tpm", "TPM", "tpm", None),
    ("Tls", "TLS", "tls", None),
    ("Ttl", "TTL", "ttl", r"(?!Thro)((?i:ttl))(?!ing|e)"),
    ("Udp", "UDP", "udp", None),
    ("Uri", "URI", "uri", r"(?!sec)uri(?!ty)|(Uri)|(URI)"),
    ("Url", "URL", "url", None),
    ("Uuid", "UUID", "uuid", None),
    ("Uids", "UIDs", "uids", r"Uids"),
    ("Uid", "UID", "uid", r"Uid"),
    ("Ui", "UI", "ui", r"U(I|i)(?!D|d)"),
    ("Vlan", "VLAN", "vlan", None),
    ("Vpce", "VPCE", "vpce", r"(V|v)pce"),
    ("Vpc", "VPC", "vpc", r"(V|v)(P|p)(C|c)(?!e)"),
    ("Vpn", "VPN", "vpn", None),
    ("Vgw", "VGW", "vgw", None),
    ("Waf", "WAF", "waf", None),
    ("Xml", "XML", "xml", None),
    ("Xss", "XSS", "xss", None),
    ("Yaml", "YAML", "yaml", None),
]
_COMPILED = [(c, u, l, re.compile(p) if p else None) for (c, u, l, p) in _TABLE]

GO_KEYWORDS = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
    "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
    "return", "select", "struct", "switch", "type", "var",
}


def _replace_from(regex, text, replacement, start, count=0):
    """Replaces matches of `regex` that begin at or after `start` (count 0: all)."""
    head, tail = text[:start], text[start:]
    return head + regex.sub(lambda _m: replacement, tail, count=count)


def _initialisms(text):
    """One pass of initialism normalization, lower-first (the field-name form)."""
    for camel, upper, lower, regex in _COMPILED:
        if regex is None:
            if text.startswith(upper):
                text = text.replace(upper, lower, 1)
            pos = text.find(camel)
            if pos == -1:
                continue
            if pos == 0:
                text = text.replace(camel, lower, 1)
            text = text.replace(camel, upper)
        else:
            match = regex.search(text)
            if match is None:
                continue
            start = match.start()
            if start == 0:
                text = _replace_from(regex, text, lower, 0, count=1)
                match = regex.search(text, match.start() + len(lower))
                if match is None:
                    continue
                start = match.start()
            text = _replace_from(regex, text, upper, start)
    return text


def _lower_camel(text):
    """strcase.ToLowerCamel as ACK uses it: lower the first letter; digits bound words."""
    if not text:
        return text
    if text[0].isupper():
        text = text[0].lower() + text[1:]
    text = re.sub(r"([a-zA-Z])(\d+)([a-zA-Z]?)", r"\1 \2 \3", text).strip(" ")
    out, cap_next = [], False
    for ch in text:
        if "a" <= ch <= "z":
            out.append(ch.upper() if cap_next else ch)
        elif ("A" <= ch <= "Z") or ("0" <= ch <= "9"):
            out.append(ch)
        cap_next = ch in "_ -."
    return "".join(out)


def field_name(member):
    """The ACK field name of a botocore member, without the keyword underscore."""
    return _initialisms(_lower_camel(_initialisms(member)))


def ack_name(member):
    """The field name exactly as ACK spells it (Type -> type_)."""
    name = field_name(member)
    return name + "_" if name in GO_KEYWORDS else name


EXAMPLES = {
    "RoleArn": "roleARN", "S3Uri": "s3URI", "ModelDataUrl": "modelDataURL", "KmsKeyId": "kmsKeyID",
    "SecurityGroupIds": "securityGroupIDs", "MemorySizeInMB": "memorySizeInMB", "EnableSSMAccess": "enableSSMAccess",
    "TtlDuration": "ttlDuration", "VolumeKmsKeyId": "volumeKMSKeyID", "Type": "type_", "VpcConfig": "vpcConfig",
    "ImageUri": "imageURI", "ModelDataETag": "modelDataETag", "SupportedResponseMIMETypes": "supportedResponseMIMETypes",
    "ProductId": "productID", "CsvContentTypes": "csvContentTypes", "S3OutputPath": "s3OutputPath",
}


def self_check():
    wrong = {m: (ack_name(m), want) for m, want in EXAMPLES.items() if ack_name(m) != want}
    if wrong:
        raise SystemExit("ack_names: the naming rule is broken: " + ", ".join(f"{m} -> {got} (want {want})" for m, (got, want) in wrong.items()))
