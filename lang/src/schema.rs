//! The schema of every block: its labels, attributes and nested blocks, with documentation.
//!
//! The checker validates configurations against these tables, and a test generates the book's
//! block reference from them, so the two cannot drift apart.

/// What an attribute accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A whole number within a range.
    Integer(i64, i64),
    /// `true` or `false`.
    Bool,
    /// A CIDR string such as `10.0.0.0/16`.
    Cidr,
    /// A list of CIDR strings.
    CidrList,
    /// An IP address string.
    Address,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// A list of strings from a fixed set.
    EnumList(&'static [&'static str]),
    /// A list of whole numbers from a fixed set.
    IntegerList(&'static [i64]),
    /// A reference to a declared object of one of these kinds.
    Ref(&'static [&'static str]),
    /// A list of references to declared objects of these kinds.
    RefList(&'static [&'static str]),
    /// A secret from `secret("NAME")`.
    Secret,
    /// A map of strings, such as tags.
    StringMap,
    /// A list of strings.
    StringList,
    /// A type constraint (`variable`'s `type`).
    TypeConstraint,
    /// Any value.
    Any,
    /// A BGP autonomous system number.
    Asn,
}

impl AttrType {
    /// How the type is written in the reference.
    pub fn describe(self) -> String {
        let join = |items: &[&str]| items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
        match self {
            AttrType::String => "string".into(),
            AttrType::Number => "number".into(),
            AttrType::Integer(min, max) => format!("whole number, {min} to {max}"),
            AttrType::Bool => "bool".into(),
            AttrType::Cidr => "CIDR string".into(),
            AttrType::CidrList => "list of CIDR strings".into(),
            AttrType::Address => "IP address string".into(),
            AttrType::Enum(values) => format!("one of {}", join(values)),
            AttrType::EnumList(values) => format!("list of {}", join(values)),
            AttrType::IntegerList(values) => {
                let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                format!("list of {}", values.join(", "))
            }
            AttrType::Ref(kinds) => format!("reference to {}", join(kinds)),
            AttrType::RefList(kinds) => format!("list of references to {}", join(kinds)),
            AttrType::Secret => "secret (`secret(\"NAME\")`)".into(),
            AttrType::StringMap => "map of strings".into(),
            AttrType::StringList => "list of strings".into(),
            AttrType::TypeConstraint => {
                "type (`string`, `number`, `bool`, `any`, `list(T)`, `set(T)`, `map(T)`)".into()
            }
            AttrType::Any => "any value".into(),
            AttrType::Asn => "private ASN (64512-65534 or 4200000000-4294967294)".into(),
        }
    }
}

/// One attribute of a block.
#[derive(Debug)]
pub struct AttrSchema {
    /// The attribute's name.
    pub name: &'static str,
    /// What it accepts.
    pub ty: AttrType,
    /// Whether the block is invalid without it.
    pub required: bool,
    /// The default, as documentation (`None` when there is none or it is computed).
    pub default: Option<&'static str>,
    /// What it is for.
    pub doc: &'static str,
}

/// A name another tool uses for something Isopod names differently, for "Isopod calls this" hints.
#[derive(Debug)]
pub struct Synonym {
    /// The other tool's name, e.g. `location`.
    pub theirs: &'static str,
    /// Isopod's name for the same thing, e.g. `region`.
    pub ours: &'static str,
    /// Who uses `theirs`, e.g. `Azure`.
    pub from: &'static str,
}

impl Synonym {
    /// The help line of a diagnostic about `theirs`.
    pub fn hint(&self) -> String {
        format!("Isopod calls this `{}`; `{}` is the name in {}", self.ours, self.theirs, self.from)
    }
}

/// Finds `name` among other tools' names.
pub fn synonym<'a>(synonyms: &'a [Synonym], name: &str) -> Option<&'a Synonym> {
    synonyms.iter().find(|synonym| synonym.theirs == name)
}

macro_rules! synonyms {
    ($($theirs:literal => $ours:literal ($from:literal)),+ $(,)?) => {
        &[$(Synonym { theirs: $theirs, ours: $ours, from: $from }),+]
    };
}

/// One block type.
#[derive(Debug)]
pub struct BlockSchema {
    /// The block type, e.g. `network`.
    pub kind: &'static str,
    /// The names of its labels, e.g. `["name"]`.
    pub labels: &'static [&'static str],
    /// Whether `for_each` may create several instances of it.
    pub for_each: bool,
    /// Its attributes.
    pub attributes: &'static [AttrSchema],
    /// The block types it may contain.
    pub blocks: &'static [&'static BlockSchema],
    /// Names other tools give to its attributes and nested blocks, for hints.
    pub synonyms: &'static [Synonym],
    /// What it is for (Markdown).
    pub doc: &'static str,
    /// An example, valid on its own inside a complete configuration.
    pub example: &'static str,
}

impl BlockSchema {
    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&'static AttrSchema> {
        self.attributes.iter().find(|attr| attr.name == name)
    }

    /// The nested block type called `kind`.
    pub fn block(&self, kind: &str) -> Option<&'static BlockSchema> {
        self.blocks.iter().copied().find(|block| block.kind == kind)
    }

    /// True for blocks whose attributes are free-form (`locals`).
    pub fn is_open(&self) -> bool {
        self.kind == "locals"
    }
}

macro_rules! attr {
    ($name:literal, $ty:expr, required, $doc:literal) => {
        AttrSchema { name: $name, ty: $ty, required: true, default: None, doc: $doc }
    };
    ($name:literal, $ty:expr, default = $default:literal, $doc:literal) => {
        AttrSchema { name: $name, ty: $ty, required: false, default: Some($default), doc: $doc }
    };
    ($name:literal, $ty:expr, $doc:literal) => {
        AttrSchema { name: $name, ty: $ty, required: false, default: None, doc: $doc }
    };
}

const NETWORK_OR_HOST: &[&str] = &["network", "host"];
const ENCRYPTION: &[&str] = &["aes128", "aes256", "aes128gcm16", "aes256gcm16"];
const INTEGRITY: &[&str] = &["sha256", "sha384", "sha512"];
/// Diffie-Hellman groups every cloud gateway accepts (MODP 2048+ and ECP).
const DH_GROUPS: &[i64] = &[14, 15, 16, 19, 20, 21, 24];

const TAGS: AttrSchema =
    attr!("tags", AttrType::StringMap, "Extra tags (labels on GCP) on every resource created for this object.");
const ENDPOINT_URL: AttrSchema =
    attr!("endpoint", AttrType::String, "Override of the cloud API's URL, for emulators and private API endpoints.");
const ROUTING: AttrSchema = attr!(
    "routing",
    AttrType::Enum(&["bgp", "static"]),
    default = "\"bgp\"",
    "How routes are exchanged: BGP sessions over the tunnels, or static routes to the peer's CIDRs."
);
const HA: AttrSchema = attr!(
    "ha",
    AttrType::Bool,
    default = "true",
    "Use the cloud pair's highly available layout (redundant gateways and tunnels)."
);

/// `ike { ... }`, inside `tunnel` and `mesh`.
pub static IKE: BlockSchema = BlockSchema {
    kind: "ike",
    labels: &[],
    for_each: false,
    attributes: &[
        attr!(
            "version",
            AttrType::Integer(1, 2),
            default = "2",
            "IKE version. IKEv2 is the safe default; IKEv1 only for peers that need it."
        ),
        attr!(
            "encryption",
            AttrType::EnumList(ENCRYPTION),
            default = "[\"aes256gcm16\", \"aes256\"]",
            "Encryption algorithms, preferred first."
        ),
        attr!(
            "integrity",
            AttrType::EnumList(INTEGRITY),
            default = "[\"sha256\"]",
            "Integrity algorithms, preferred first."
        ),
        attr!(
            "dh_groups",
            AttrType::IntegerList(DH_GROUPS),
            default = "[20, 14]",
            "Diffie-Hellman groups for key exchange and PFS, preferred first."
        ),
        attr!("lifetime", AttrType::Integer(900, 28800), default = "28800", "Phase 1 (IKE SA) lifetime in seconds."),
        attr!(
            "child_lifetime",
            AttrType::Integer(900, 3600),
            default = "3600",
            "Phase 2 (IPsec SA) lifetime in seconds."
        ),
        attr!("dpd_timeout", AttrType::Integer(30, 3600), default = "30", "Dead peer detection timeout in seconds."),
    ],
    blocks: &[],
    synonyms: synonyms!["ike_version" => "version" ("GCP"), "ike_versions" => "version" ("AWS"), "dh_group" => "dh_groups" ("Azure"), "pfs_group" => "dh_groups" ("Azure"), "ike_encryption" => "encryption" ("Azure"), "ike_integrity" => "integrity" ("Azure"), "sa_lifetime" => "child_lifetime" ("Azure"), "dpd_timeout_seconds" => "dpd_timeout" ("Azure")],
    doc: "IKE and IPsec settings of a tunnel or of every tunnel of a mesh. The defaults are accepted by \
          AWS, Azure, GCP and strongSwan alike; the checker refuses weak algorithms.",
    example: "ike {\n  version    = 2\n  encryption = [\"aes256gcm16\"]\n  dh_groups  = [20]\n}",
};

/// `subnet "NAME" { ... }`, inside `network`.
pub static SUBNET: BlockSchema = BlockSchema {
    kind: "subnet",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("cidr", AttrType::Cidr, required, "The subnet's range; must lie inside the network's `cidr`."),
        attr!(
            "zone",
            AttrType::String,
            "The AWS availability zone, e.g. `us-east-1a`. Azure subnets and GCP subnetworks span their region's zones and take none."
        ),
        TAGS,
    ],
    blocks: &[],
    synonyms: synonyms!["cidr_block" => "cidr" ("Terraform's aws_subnet"), "address_prefixes" => "cidr" ("Azure"), "address_prefix" => "cidr" ("Azure"), "ip_cidr_range" => "cidr" ("GCP"), "availability_zone" => "zone" ("AWS")],
    doc: "A subnet of a network. Subnets of one network must not overlap.",
    example: "subnet \"a\" {\n  cidr = cidrsubnet(self.cidr, 8, 1)\n  zone = \"us-east-1a\"\n}",
};

/// `flow_logs { ... }`, inside `network`.
pub static FLOW_LOGS: BlockSchema = BlockSchema {
    kind: "flow_logs",
    labels: &[],
    for_each: false,
    attributes: &[
        attr!(
            "destination",
            AttrType::String,
            "AWS: the S3 bucket the logs are delivered to, as its ARN (`arn:aws:s3:::BUCKET`, or `arn:aws:s3:::BUCKET/PREFIX`); the bucket must exist and let the log delivery service write. Azure: the storage account the logs are written to, as its id (`/subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.Storage/storageAccounts/NAME`), in the network's region. GCP delivers flow logs to Cloud Logging and takes none."
        ),
        attr!(
            "interval",
            AttrType::Integer(5, 900),
            "Seconds over which each record aggregates a flow: AWS 60 or 600 (the default); GCP 5 (the default), 30, 60, 300, 600 or 900. Azure logs each minute and takes none."
        ),
        attr!(
            "sampling",
            AttrType::Number,
            "GCP only: the share of flows logged, above 0 and at most 1 (default 0.5). `isopod cost` scales GCP's counts by it. AWS logs every flow."
        ),
    ],
    blocks: &[],
    synonyms: synonyms!["log_destination" => "destination" ("Terraform's aws_flow_log"), "max_aggregation_interval" => "interval" ("Terraform's aws_flow_log"), "aggregation_interval" => "interval" ("GCP's log_config"), "flow_sampling" => "sampling" ("GCP's log_config")],
    doc: "Flow logs of the network, set up by Isopod for `isopod flows` and `isopod cost`: on AWS a VPC flow log to an S3 bucket in the custom format those commands read (every field they use), on GCP the `logConfig` of each of the network's subnetworks (with all metadata), on Azure a virtual network flow log of the subscription's Network Watcher of the region (Azure makes one, `NetworkWatcherRG/NetworkWatcher_REGION`, with a region's first virtual network) to a storage account.",
    example: "flow_logs {
  destination = \"arn:aws:s3:::acme-flow-logs\"
  interval    = 60
}",
};

/// `ssh { ... }`, inside `host`.
pub static SSH: BlockSchema = BlockSchema {
    kind: "ssh",
    labels: &[],
    for_each: false,
    attributes: &[
        attr!(
            "host",
            AttrType::String,
            "Where to connect; defaults to the host's `address`. May name an `ssh_config` alias."
        ),
        attr!("user", AttrType::String, "The login user; defaults to `ssh_config`'s."),
        attr!("port", AttrType::Integer(1, 65535), "The SSH port; defaults to `ssh_config`'s."),
        attr!("identity_file", AttrType::String, "A private key file; defaults to `ssh_config`'s."),
    ],
    blocks: &[],
    synonyms: &[],
    doc: "How Isopod reaches a host over SSH (the system's OpenSSH client, key authentication, \
          `ssh_config` honoured).",
    example: "ssh {\n  user = \"root\"\n  port = 22\n}",
};

/// `strongswan { ... }` inside a host.
pub static STRONGSWAN: BlockSchema = BlockSchema {
    kind: "strongswan",
    labels: &[],
    for_each: false,
    attributes: &[
        attr!(
            "swanctl_dir",
            AttrType::String,
            default = "\"/etc/swanctl\"",
            "The folder of `swanctl.conf`; Isopod writes its connections to `conf.d/isopod-*.conf` there."
        ),
        attr!(
            "vici_socket",
            AttrType::String,
            default = "\"unix:///var/run/charon.vici\"",
            "The URI of the charon daemon's VICI socket, through which `swanctl` loads and reads the tunnels."
        ),
        attr!(
            "encap",
            AttrType::Bool,
            default = "false",
            "Always encapsulate ESP in UDP (port 4500): for hosts behind NAT, and for strongSwan's userspace \
             data plane (`kernel-libipsec`)."
        ),
    ],
    blocks: &[],
    synonyms: &[],
    doc: "The host's strongSwan: where its configuration lives and how to reach its daemon.",
    example: "strongswan {\n  swanctl_dir = \"/etc/swanctl\"\n  vici_socket = \"unix:///var/run/charon.vici\"\n}",
};

/// `stack "NAME" { ... }`
pub static STACK: BlockSchema = BlockSchema {
    kind: "stack",
    labels: &["name"],
    for_each: false,
    attributes: &[
        attr!("description", AttrType::String, "What this stack is for."),
        TAGS,
        attr!(
            "prices",
            AttrType::String,
            "A price book of your own rates (negotiated discounts): a CSV file with the built-in book's columns, relative to the configuration's folder. `isopod cost` and the cost line of plans use its rows over the built-in ones, meter by meter."
        ),
    ],
    blocks: &[],
    synonyms: &[],
    doc: "The stack: exactly one per configuration. Its name owns every resource Isopod creates: \
          resources are tagged with it, and Isopod only ever changes or deletes resources of its own stack.",
    example: "stack \"acme-network\" {\n  description = \"Acme's production network\"\n}",
};

/// `variable "NAME" { ... }`
pub static VARIABLE: BlockSchema = BlockSchema {
    kind: "variable",
    labels: &["name"],
    for_each: false,
    attributes: &[
        attr!("type", AttrType::TypeConstraint, default = "any", "The type values must have."),
        attr!("default", AttrType::Any, "The value when none is given; without it a value is required."),
        attr!("description", AttrType::String, "What the variable is for."),
    ],
    blocks: &[],
    synonyms: &[],
    doc: "An input of the configuration, read as `var.NAME`. Values come from `--var NAME=VALUE` or the \
          environment variable `ISOPOD_VAR_NAME`. For a `string` the text is the value; for other types it \
          is an `.iso` literal (`--var 'regions=[\"us-east-1\"]'`); without a `type`, a literal if it reads \
          as one, else the text.",
    example: "variable \"region\" {\n  type    = string\n  default = \"us-east-1\"\n}",
};

/// `locals { ... }`
pub static LOCALS: BlockSchema = BlockSchema {
    kind: "locals",
    labels: &[],
    for_each: false,
    attributes: &[],
    blocks: &[],
    synonyms: &[],
    doc: "Named values computed once and read as `local.NAME`. Any attribute name is allowed; a \
          configuration may have several `locals` blocks, but each name is defined once.",
    example: "locals {\n  base = \"10.0.0.0/8\"\n  app  = cidrsubnet(local.base, 8, 10)\n}",
};

/// `cloud "aws" "NAME" { ... }`
pub static CLOUD_AWS: BlockSchema = BlockSchema {
    kind: "cloud",
    labels: &["kind", "name"],
    for_each: true,
    attributes: &[
        attr!(
            "region",
            AttrType::String,
            required,
            "The region networks of this cloud are created in, e.g. `us-east-1`."
        ),
        attr!(
            "account",
            AttrType::String,
            "The 12-digit account id, checked against the credentials' account before any change."
        ),
        attr!("profile", AttrType::String, "The AWS profile to take credentials from; the standard chain otherwise."),
        attr!("role_arn", AttrType::String, "A role to assume for this account."),
        ENDPOINT_URL,
        TAGS,
    ],
    blocks: &[],
    synonyms: synonyms!["account_id" => "account" ("AWS"), "assume_role" => "role_arn" ("Terraform's AWS provider")],
    doc: "An AWS account and region (`cloud \"aws\" \"NAME\"`). Credentials come from the standard AWS \
          chain (environment, profiles, SSO, instance roles).",
    example: "cloud \"aws\" \"prod\" {\n  region  = \"us-east-1\"\n  profile = \"prod\"\n}",
};

/// `cloud "azure" "NAME" { ... }`
pub static CLOUD_AZURE: BlockSchema = BlockSchema {
    kind: "cloud",
    labels: &["kind", "name"],
    for_each: true,
    attributes: &[
        attr!("subscription", AttrType::String, required, "The subscription id (a UUID)."),
        attr!("region", AttrType::String, required, "The location networks are created in, e.g. `westeurope`."),
        attr!(
            "resource_group",
            AttrType::String,
            "An existing resource group to create resources in; without it Isopod creates and owns `isopod-STACK-NAME`, one per `cloud` block."
        ),
        attr!("tenant", AttrType::String, "The Entra ID tenant, when the credentials span several."),
        ENDPOINT_URL,
        TAGS,
    ],
    blocks: &[],
    synonyms: synonyms!["location" => "region" ("Azure"), "subscription_id" => "subscription" ("Terraform's azurerm"), "tenant_id" => "tenant" ("Terraform's azurerm"), "resource_group_name" => "resource_group" ("Terraform's azurerm")],
    doc: "An Azure subscription and location (`cloud \"azure\" \"NAME\"`).",
    example: "cloud \"azure\" \"corp\" {\n  subscription = \"00000000-0000-0000-0000-000000000000\"\n  region       = \"westeurope\"\n}",
};

/// `cloud "gcp" "NAME" { ... }`
pub static CLOUD_GCP: BlockSchema = BlockSchema {
    kind: "cloud",
    labels: &["kind", "name"],
    for_each: true,
    attributes: &[
        attr!("project", AttrType::String, required, "The project id."),
        attr!(
            "region",
            AttrType::String,
            required,
            "The region subnetworks and gateways are created in, e.g. `us-central1`."
        ),
        attr!(
            "impersonate_service_account",
            AttrType::String,
            "A service account to act as, with the credentials found (Application Default Credentials): \
             they need `roles/iam.serviceAccountTokenCreator` on it."
        ),
        ENDPOINT_URL,
        TAGS,
    ],
    blocks: &[],
    synonyms: synonyms!["project_id" => "project" ("Google Cloud"), "location" => "region" ("Google Cloud")],
    doc: "A Google Cloud project and region (`cloud \"gcp\" \"NAME\"`).",
    example: "cloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}",
};

/// `network "NAME" { ... }`
pub static NETWORK: BlockSchema = BlockSchema {
    kind: "network",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("cloud", AttrType::Ref(&["cloud"]), required, "The cloud (account and region) the network lives in."),
        attr!("cidr", AttrType::Cidr, required, "The network's address range."),
        attr!("region", AttrType::String, "The region, when it differs from the cloud's."),
        attr!("asn", AttrType::Asn, "The BGP ASN of the network's gateway; allocated when not set."),
        attr!(
            "transit_gateway",
            AttrType::Bool,
            "AWS only: attach the VPC's VPN connections to a transit gateway (`true`) or to a virtual private \
             gateway (`false`). Unset, a transit gateway is used only when the VPC's tunnels need more than \
             the 10 VPN connections a virtual private gateway takes."
        ),
        attr!(
            "existing",
            AttrType::String,
            "A network that exists outside Isopod, as `isopod discover` writes it: an AWS VPC's id \
             (`vpc-...`), the name of a GCP network in the cloud block's project, or the ARM id of an \
             Azure virtual network in the cloud block's subscription. Isopod plans what connects to it \
             (gateways, routers, tunnels, routes in a VPC's main route table, endpoints) and never changes \
             or deletes the network or its subnets, which are matched by range (in the network's region, \
             on GCP)."
        ),
        TAGS,
    ],
    blocks: &[&SUBNET, &FLOW_LOGS],
    synonyms: synonyms!["cidr_block" => "cidr" ("Terraform's aws_vpc"), "address_space" => "cidr" ("Azure"), "location" => "region" ("Azure"), "vpc_id" => "existing" ("AWS"), "amazon_side_asn" => "asn" ("AWS"), "bgp_asn" => "asn" ("AWS"), "subnetwork" => "subnet" ("GCP")],
    doc: "A network: an AWS VPC, an Azure virtual network or a GCP VPC network with its subnetwork \
          in the region. Subnets are nested `subnet` blocks.",
    example: "network \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.10.0.0/16\"\n\n  subnet \"a\" {\n    cidr = cidrsubnet(self.cidr, 8, 1)\n    zone = \"us-east-1a\"\n  }\n}",
};

/// `host "NAME" { ... }`
pub static HOST: BlockSchema = BlockSchema {
    kind: "host",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("address", AttrType::Address, required, "The host's public (outer) address, where tunnels terminate."),
        attr!("cidrs", AttrType::CidrList, required, "The site ranges behind the host, reachable through its tunnels."),
        attr!(
            "asn",
            AttrType::Asn,
            "The host's ASN: its BGP identity, also recorded by AWS for static tunnels; allocated when not set."
        ),
        attr!(
            "connection",
            AttrType::Enum(&["ssh", "local"]),
            default = "\"ssh\"",
            "How Isopod configures the host: over SSH, or locally when Isopod runs on it."
        ),
    ],
    blocks: &[&SSH, &STRONGSWAN],
    synonyms: synonyms!["sites" => "cidrs" ("site-to-site VPN tools"), "subnets" => "cidrs" ("strongSwan and most VPN tools"), "ip_address" => "address" ("Terraform's aws_customer_gateway"), "public_ip" => "address" ("most VPN tools"), "bgp_asn" => "asn" ("Terraform's aws_customer_gateway")],
    doc: "A Linux machine (data centre, bare metal, edge) that terminates tunnels with strongSwan.",
    example: "host \"dc1\" {\n  address = \"203.0.113.10\"\n  cidrs   = [\"192.168.10.0/24\"]\n\n  ssh {\n    user = \"root\"\n  }\n}",
};

/// `tunnel "NAME" { ... }`
pub static TUNNEL: BlockSchema = BlockSchema {
    kind: "tunnel",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("between", AttrType::RefList(NETWORK_OR_HOST), required, "The two ends: networks or hosts."),
        ROUTING,
        HA,
        attr!(
            "psk",
            AttrType::Secret,
            "The pre-shared key, from `secret(\"NAME\")`; generated and stored by Isopod when not set."
        ),
    ],
    blocks: &[&IKE],
    synonyms: synonyms!["peers" => "between" ("most VPN tools"), "networks" => "between" ("most VPN tools"), "preshared_key" => "psk" ("AWS"), "pre_shared_key" => "psk" ("most VPN tools"), "shared_key" => "psk" ("Azure"), "shared_secret" => "psk" ("GCP"), "enable_bgp" => "routing" ("Azure")],
    doc: "An encrypted IPsec site-to-site tunnel between two networks, or a network and a host, or \
          two hosts, laid out the way the two clouds document for high availability.",
    example: "tunnel \"app-analytics\" {\n  between = [network.app, network.analytics]\n  routing = \"bgp\"\n  ha      = true\n}",
};

/// `mesh "NAME" { ... }`
pub static MESH: BlockSchema = BlockSchema {
    kind: "mesh",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!(
            "members",
            AttrType::RefList(NETWORK_OR_HOST),
            required,
            "The networks and hosts to connect, every pair with a tunnel."
        ),
        ROUTING,
        HA,
    ],
    blocks: &[&IKE],
    synonyms: synonyms!["networks" => "members" ("most VPN tools"), "nodes" => "members" ("mesh VPN tools"), "peers" => "members" ("mesh VPN tools")],
    doc: "Tunnels between every pair of its members, with the same settings. A mesh of n members \
          makes n(n-1)/2 tunnels, named `MESH/A~B`.",
    example: "mesh \"core\" {\n  members = [network.app, network.analytics, host.dc1]\n}",
};

/// `endpoint "NAME" { ... }`
pub static ENDPOINT: BlockSchema = BlockSchema {
    kind: "endpoint",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("network", AttrType::Ref(&["network"]), required, "The network the endpoint is created in."),
        attr!(
            "service",
            AttrType::String,
            required,
            "The service: an AWS endpoint service name, an Azure private link service id or alias, or a GCP service attachment."
        ),
        attr!(
            "subnets",
            AttrType::StringList,
            "Names of the network's subnets to place the endpoint in; all of them when not set."
        ),
        attr!(
            "private_dns",
            AttrType::Bool,
            default = "true",
            "Resolve the service's name to the endpoint's private addresses."
        ),
        attr!(
            "dns_name",
            AttrType::String,
            "The name clients use for the service, which relays publish in their consumers' private DNS. \
             Known for AWS services (`com.amazonaws.REGION.SERVICE` is `SERVICE.REGION.amazonaws.com`); \
             set it for other services."
        ),
    ],
    blocks: &[],
    synonyms: synonyms!["service_name" => "service" ("AWS"), "vpc_id" => "network" ("AWS"), "subnet_ids" => "subnets" ("AWS"), "private_dns_enabled" => "private_dns" ("AWS")],
    doc: "A private endpoint to a third-party service: AWS PrivateLink interface endpoint, Azure private \
          endpoint, or GCP Private Service Connect endpoint.",
    example: "endpoint \"warehouse\" {\n  network = network.app\n  service = \"com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0\"\n}",
};

/// `relay "NAME" { ... }`
pub static RELAY: BlockSchema = BlockSchema {
    kind: "relay",
    labels: &["name"],
    for_each: true,
    attributes: &[
        attr!("endpoint", AttrType::Ref(&["endpoint"]), required, "The endpoint to extend."),
        attr!(
            "to",
            AttrType::RefList(&["network"]),
            required,
            "The networks, in other regions or clouds, that should reach it."
        ),
        attr!(
            "private_dns",
            AttrType::Bool,
            default = "true",
            "Publish the service's name in the consumers' private DNS."
        ),
    ],
    blocks: &[],
    synonyms: &[],
    doc: "Extends an endpoint that only works in its own region to networks in other regions and \
          clouds: a network in the service's region, transit to the consumers, routes and private DNS.",
    example: "relay \"warehouse-west\" {\n  endpoint = endpoint.warehouse\n  to       = [network.app-west]\n}",
};

/// Every top-level block type (one schema per cloud kind for `cloud`).
pub static TOP_LEVEL: &[&BlockSchema] = &[
    &STACK,
    &VARIABLE,
    &LOCALS,
    &CLOUD_AWS,
    &CLOUD_AZURE,
    &CLOUD_GCP,
    &NETWORK,
    &HOST,
    &TUNNEL,
    &MESH,
    &ENDPOINT,
    &RELAY,
];

/// Other tools' names for top-level block types.
pub static TOP_LEVEL_SYNONYMS: &[Synonym] = synonyms![
    "provider" => "cloud" ("Terraform"),
    "vpc" => "network" ("AWS"),
    "vnet" => "network" ("Azure"),
    "virtual_network" => "network" ("Azure"),
    "vpn" => "tunnel" ("most VPN tools"),
    "vpn_connection" => "tunnel" ("AWS"),
    "private_endpoint" => "endpoint" ("Azure"),
    "vpc_endpoint" => "endpoint" ("AWS"),
];

/// Other tools' names for cloud kinds (`cloud "KIND" "NAME"`).
pub static CLOUD_KIND_SYNONYMS: &[Synonym] = synonyms![
    "azurerm" => "azure" ("Terraform"),
    "google" => "gcp" ("Terraform"),
    "amazon" => "aws" ("some tools"),
];

/// The cloud kinds, with their schemas.
pub static CLOUD_KINDS: &[(&str, &BlockSchema)] = &[("aws", &CLOUD_AWS), ("azure", &CLOUD_AZURE), ("gcp", &CLOUD_GCP)];

/// The names of the top-level block types, for suggestions.
pub fn top_level_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&str> = TOP_LEVEL.iter().map(|schema| schema.kind).collect();
    kinds.dedup();
    kinds
}

/// The schema of a top-level block, given its type and (for `cloud`) first label.
pub fn top_level(kind: &str, first_label: Option<&str>) -> Option<&'static BlockSchema> {
    if kind == "cloud" {
        let cloud_kind = first_label?;
        return CLOUD_KINDS.iter().find(|(name, _)| *name == cloud_kind).map(|(_, schema)| *schema);
    }
    TOP_LEVEL.iter().copied().find(|schema| schema.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every block schema, nested ones included.
    fn all_schemas() -> Vec<&'static BlockSchema> {
        let mut out: Vec<&BlockSchema> = Vec::new();
        let mut todo: Vec<&BlockSchema> = TOP_LEVEL.to_vec();
        while let Some(schema) = todo.pop() {
            if !out.iter().any(|seen| std::ptr::eq(*seen, schema)) {
                out.push(schema);
                todo.extend(schema.blocks.iter().copied());
            }
        }
        out
    }

    #[test]
    fn synonyms_name_what_exists_and_never_shadow_it() {
        for schema in all_schemas() {
            for synonym in schema.synonyms {
                let exists = |name| schema.attribute(name).is_some() || schema.block(name).is_some();
                assert!(exists(synonym.ours), "{}: `{}` is not ours", schema.kind, synonym.ours);
                assert!(!exists(synonym.theirs), "{}: `{}` is ours already", schema.kind, synonym.theirs);
            }
        }
        let kinds = top_level_kinds();
        for synonym in TOP_LEVEL_SYNONYMS {
            assert!(kinds.contains(&synonym.ours) && !kinds.contains(&synonym.theirs), "{synonym:?}");
        }
        for synonym in CLOUD_KIND_SYNONYMS {
            let is_kind = |name| CLOUD_KINDS.iter().any(|(kind, _)| *kind == name);
            assert!(is_kind(synonym.ours) && !is_kind(synonym.theirs), "{synonym:?}");
        }
    }
}
