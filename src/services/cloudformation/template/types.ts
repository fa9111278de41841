// The shapes of a parsed template. Values stay loosely typed (`unknown`): intrinsics may stand anywhere.

export interface ParameterDecl {
  Type: string;
  Default?: unknown;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  ConstraintDescription?: string;
  NoEcho?: boolean | string;
}

export interface ResourceDecl {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
  UpdatePolicy?: unknown;
  CreationPolicy?: unknown;
  Metadata?: unknown;
}

export interface OutputDecl {
  Value: unknown;
  Description?: unknown;
  Condition?: string;
  Export?: { Name: unknown };
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, ParameterDecl>;
  Rules?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Resources: Record<string, ResourceDecl>;
  Outputs?: Record<string, OutputDecl>;
  Hooks?: Record<string, unknown>;
}
